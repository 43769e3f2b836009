# Keycloak 26.7.3 with the Conduit providers, on the official image.
#
# Build the jars first, then the image (from the repository root):
#   ./mvnw -B package -DskipTests
#   docker build -t conduit-keycloak:26.7.3 .
#
# This file is not built in CI: the CI machines have no Docker engine. See docs/operations.md.

FROM quay.io/keycloak/keycloak:26.7.3 AS builder

# The six Conduit jars. They work together: every other jar needs the API jar, the exchange and the
# connections console need the vault. Nothing else goes into providers/ (no Keycloak jars, no sandbox).
COPY --chown=keycloak:keycloak \
     conduit-api/target/conduit-api.jar \
     spi-provider-brokers/target/conduit-brokers.jar \
     token-vault/target/conduit-token-vault.jar \
     spi-token-exchange/target/conduit-token-exchange.jar \
     connections-console/target/conduit-connections-console.jar \
     themes/target/conduit-themes.jar \
     /opt/keycloak/providers/

# Build-time options, baked into the image:
#   --db=postgres           Conduit's table is created in Keycloak's database; production runs on PostgreSQL.
#   --features=...          the first two are on by default in 26.7; listed so that the image keeps them whatever the
#                           defaults become:
#                           token-exchange-standard:v2  required: Keycloak serves the token-exchange grant only
#                                                       with it (or the deprecated v1), and narrowed tokens are
#                                                       issued through Keycloak's standard exchange.
#                           organization                optional: needed only for organization connections
#                                                       (conduit_organization, organization=...).
#                           identity-brokering-api:v2   optional: apps that use Keycloak's Identity Brokering
#                                                       API V2 (POST /realms/{realm}/broker/{alias}/token) get the
#                                                       vault's tokens through Conduit's brokers (README).
#   --metrics-enabled=true  optional: conduit_vault_* metrics at :9000/metrics (see docs/operations.md).
#   --health-enabled=true   optional: /health/ready and /health/live at :9000, for orchestrators.
#   --vault=file            Keycloak's file vault, for the brokers' client secrets (${vault.<name>});
#                           start with --vault-dir=<mounted directory>. Use --vault=keystore instead if you
#                           keep the secrets in a PKCS12 keystore.
RUN /opt/keycloak/bin/kc.sh build \
        --db=postgres \
        --features=token-exchange-standard:v2,organization,identity-brokering-api:v2 \
        --metrics-enabled=true \
        --health-enabled=true \
        --vault=file

FROM quay.io/keycloak/keycloak:26.7.3
COPY --from=builder /opt/keycloak/ /opt/keycloak/

# The token vault's key-encryption keys are runtime options. Never put them in this file, in a build
# argument or in an image layer. Pass them when the container starts, from your secret store, e.g. an
# env file readable only by the operator (docker run --env-file ...) or an orchestrator secret:
#   KC_SPI_CONDUIT_VAULT__KEYS=k1:<base64 of 32 random bytes>
#   KC_SPI_CONDUIT_VAULT__ACTIVE_KEY=k1
# Without keys, Keycloak refuses to start. Every node needs the same keys.
ENTRYPOINT ["/opt/keycloak/bin/kc.sh"]
CMD ["start", "--optimized"]
