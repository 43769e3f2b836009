package dev.conduit.vault.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Map;

import dev.conduit.api.server.ServerCredential;
import dev.conduit.vault.crypto.KeyRing;
import dev.conduit.vault.crypto.TokenCipher;
import dev.conduit.vault.crypto.TokenFingerprints;
import dev.conduit.vault.crypto.TokenOwner;
import dev.conduit.vault.service.RowSeal;
import dev.conduit.vault.store.ConnectionEntity;
import org.junit.jupiter.api.Test;
import org.keycloak.models.IdentityProviderModel;

/** A server connection's row: its credential sealed to its owner and column, re-sealed by key rotation, rotated with an overlap. */
class ServerConnectionsTest {

    private static final Instant NOW = Instant.parse("2026-12-03T08:00:00Z");
    private static final SecureRandom RANDOM = new SecureRandom();
    private final byte[] k0 = key();
    private final byte[] k1 = key();
    private final RowSeal seal = seal(Map.of("k0", k0), "k0");
    private final ServerConnections connections = new ServerConnections(seal);
    private final IdentityProviderModel provider = provider();

    private static byte[] key() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static RowSeal seal(Map<String, byte[]> keys, String active) {
        KeyRing ring = KeyRing.of(keys, active);
        return new RowSeal(new TokenCipher(ring), new TokenFingerprints(ring));
    }

    private static IdentityProviderModel provider() {
        IdentityProviderModel model = new IdentityProviderModel();
        model.setAlias("salesforce");
        model.setProviderId("conduit-salesforce");
        return model;
    }

    private ConnectionEntity created(FakeKind kind, Map<String, String> input, String organizationId) throws ServerConnectionRefusal {
        return connections.create("realm-1", TokenOwner.Kind.ORGANIZATION, organizationId, provider, kind, input, "admin-1", NOW);
    }

    @Test
    void theSecretIsSealedToTheRowAndOnlyTheShownPartIsInClear() throws Exception {
        ConnectionEntity row = created(FakeKind.minted(), Map.of("username", "int@acme.test", "private_key", "secret-key-material"), "org-a");

        assertThat(row.getCredential()).startsWith("v1.k0.").doesNotContain("secret-key-material");
        assertThat(row.getShown()).contains("int@acme.test").doesNotContain("secret-key-material");
        assertThat(row.getGrantKind()).isEqualTo("test-jwt");
        assertThat(row.getOwnerKind()).isEqualTo("ORGANIZATION");
        assertThat(row.getAccessToken()).as("minted on first use").isNull();
        assertThat(row.getExpiresAt()).isZero();
        assertThat(seal.opens(row)).isTrue();
        assertThat(connections.current(row).sealed("private_key")).isEqualTo("secret-key-material");
    }

    @Test
    void aCredentialCopiedIntoAnotherOrganizationsRowDoesNotOpen() throws Exception {
        ConnectionEntity mine = created(FakeKind.minted(), Map.of("username", "a@acme.test", "private_key", "mine"), "org-a");
        ConnectionEntity theirs = created(FakeKind.minted(), Map.of("username", "b@acme.test", "private_key", "theirs"), "org-b");

        theirs.setCredential(mine.getCredential());

        assertThat(seal.opens(theirs)).isFalse();
    }

    @Test
    void theRealmsOwnConnectionIsOwnedByTheRealmAndDoesNotOpenInAnOrganizationsRow() throws Exception {
        ConnectionEntity realms = connections.create("realm-1", TokenOwner.Kind.REALM, "realm-1", provider, FakeKind.minted(),
                Map.of("username", "a@acme.test", "private_key", "the-realms"), "admin-1", NOW);
        assertThat(realms.getOwnerKind()).isEqualTo("REALM");
        assertThat(realms.getOwnerId()).isEqualTo("realm-1");
        assertThat(connections.current(realms).sealed("private_key")).isEqualTo("the-realms");

        // an organization whose id is the realm's id still does not open the realm's credential
        ConnectionEntity organizations = created(FakeKind.minted(), Map.of("username", "b@acme.test", "private_key", "x"), "realm-1");
        organizations.setCredential(realms.getCredential());
        assertThat(seal.opens(organizations)).isFalse();
        assertThatThrownBy(() -> connections.create("realm-1", TokenOwner.Kind.USER, "user-1", provider, FakeKind.minted(),
                Map.of("username", "a@acme.test", "private_key", "k"), "admin-1", NOW)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aStaticTokenIsSealedAsTheAccessTokenAndServesAtOnce() throws Exception {
        ConnectionEntity row = created(FakeKind.staticToken(), Map.of("username", "portal", "access_token", "pat-na1-abc"), "org-a");

        assertThat(seal.accessToken(row)).isEqualTo("pat-na1-abc");
        assertThat(row.getAccessToken()).doesNotContain("pat-na1-abc");
        assertThat(row.getCredential()).doesNotContain("pat-na1-abc");
        assertThat(row.getExpiresAt()).isEqualTo(NOW.getEpochSecond() + ServerMint.STATIC_LIFETIME_SECONDS);
        assertThat(row.getScopes()).isEqualTo("crm.read");
    }

    @Test
    void keyRotationReSealsTheCredentialWithTheTokens() throws Exception {
        ConnectionEntity row = created(FakeKind.minted(), Map.of("username", "a@acme.test", "private_key", "the-key"), "org-a");
        seal.seal(row, "access-1", null);
        RowSeal rotated = seal(Map.of("k0", k0, "k1", k1), "k1");

        rotated.seal(row, rotated.accessToken(row), rotated.refreshToken(row));

        assertThat(row.getKeyId()).isEqualTo("k1");
        assertThat(row.getCredential()).startsWith("v1.k1.");
        RowSeal withoutOldKey = seal(Map.of("k1", k1), "k1");
        assertThat(withoutOldKey.opens(row)).isTrue();
        assertThat(new ServerConnections(withoutOldKey).current(row).sealed("private_key")).isEqualTo("the-key");
    }

    @Test
    void aNewKeyPairKeepsThePreviousOneUntilDropped() throws Exception {
        ConnectionEntity row = created(FakeKind.minted(), Map.of("username", "a@acme.test", "private_key", "old-key"), "org-a");
        row.setStatus("ACTION_REQUIRED");
        row.setLastError("assertion_refused: upload the certificate");

        ServerCredential replaced = connections.replace(row, provider, FakeKind.minted(),
                Map.of("username", "a@acme.test", "private_key", "new-key"), NOW);

        assertThat(replaced.sealed("private_key")).isEqualTo("new-key");
        assertThat(replaced.sealed(ServerMint.PREVIOUS_PRIVATE_KEY)).isEqualTo("old-key");
        assertThat(replaced.shown(ServerConnections.PREVIOUS_CERTIFICATE_SHA256)).isEqualTo("sha-" + Integer.toHexString("old-key".hashCode()));
        assertThat(row.getStatus()).isEqualTo("HEALTHY");
        assertThat(row.getLastError()).isNull();
        assertThat(row.getShown()).doesNotContain("old-key").doesNotContain("new-key");

        assertThat(ServerConnections.dropPreviousKey(seal, row)).isTrue();
        assertThat(connections.current(row).sealed(ServerMint.PREVIOUS_PRIVATE_KEY)).isNull();
        assertThat(connections.current(row).shown(ServerConnections.PREVIOUS_CERTIFICATE_SHA256)).isNull();
        assertThat(ServerConnections.dropPreviousKey(seal, row)).isFalse();
    }

    @Test
    void badInputIsA400InTheKindsWords() {
        assertThatThrownBy(() -> created(FakeKind.minted(), Map.of(), "org-a"))
                .isInstanceOfSatisfying(ServerConnectionRefusal.class, e -> assertThat(e.status()).isEqualTo(400))
                .hasMessage("username is required");
        assertThat(ServerConnections.notServed("salesforce-jwt-bearer")).isEmpty();
    }
}
