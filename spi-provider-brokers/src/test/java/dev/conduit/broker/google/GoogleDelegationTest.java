package dev.conduit.broker.google;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.conduit.api.server.KeyMaterialException;
import dev.conduit.api.server.MintRequest;
import dev.conduit.api.server.RsaKeys;
import dev.conduit.api.server.ServerCredential;
import org.junit.jupiter.api.Test;
import org.keycloak.models.IdentityProviderModel;

class GoogleDelegationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");
    private static final String CALENDAR = "https://www.googleapis.com/auth/calendar.readonly";
    private static final String GMAIL_SEND = "https://www.googleapis.com/auth/gmail.send";

    private final GoogleDelegation delegation = new GoogleDelegation();
    private final KeyPair keys = RsaKeys.generate();

    @Test
    void theKeyFileIsSealedAndOnlyItsIdentityIsShown() throws Exception {
        ServerCredential credential = delegation.accept(provider(), input(), NOW);

        assertThat(credential.shown()).containsEntry("client_email", "sync@acme-sync.iam.gserviceaccount.com")
                .containsEntry("client_id", "104857600000000000001").containsEntry("private_key_id", "kid-7")
                .containsEntry("domain", "acme.example");
        assertThat(credential.shown().values()).noneMatch(value -> value.contains("PRIVATE KEY"));
        assertThat(RsaKeys.parsePrivateKey(credential.sealed("private_key")).getPublic()).isEqualTo(keys.getPublic());
        assertThat(credential.scopes()).containsExactlyInAnyOrder(CALENDAR, GMAIL_SEND);
        assertThat(delegation.perSubject()).isTrue();
    }

    @Test
    void theAssertionActsAsTheWorkspaceUserForTheAskedScopes() throws Exception {
        ServerCredential credential = delegation.accept(provider(), input(), NOW);

        MintRequest mint = delegation.mintRequest(provider(), credential, "lise@acme.example", Set.of(CALENDAR), NOW).orElseThrow();

        String assertion = mint.form().get("assertion");
        String[] parts = assertion.split("\\.");
        JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
        JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
        assertThat(mint.tokenUrl()).isEqualTo("http://sandbox.test/google/token");
        assertThat(mint.form()).containsEntry("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer");
        assertThat(header.get("kid").asText()).isEqualTo("kid-7");
        assertThat(claims.get("iss").asText()).isEqualTo("sync@acme-sync.iam.gserviceaccount.com");
        assertThat(claims.get("sub").asText()).isEqualTo("lise@acme.example");
        assertThat(claims.get("scope").asText()).isEqualTo(CALENDAR);
        assertThat(claims.get("aud").asText()).isEqualTo("http://sandbox.test/google/token");
        assertThat(claims.get("exp").asLong() - claims.get("iat").asLong()).isLessThanOrEqualTo(3600);
        Signature verify = Signature.getInstance("SHA256withRSA");
        verify.initVerify(keys.getPublic());
        verify.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertThat(verify.verify(Base64.getUrlDecoder().decode(parts[2]))).isTrue();
    }

    @Test
    void withNoScopesAskedEveryDelegatedScopeIsAsked() throws Exception {
        ServerCredential credential = delegation.accept(provider(), input(), NOW);

        MintRequest mint = delegation.mintRequest(provider(), credential, "lise@acme.example", Set.of(), NOW).orElseThrow();

        String scope = JSON.readTree(Base64.getUrlDecoder().decode(mint.form().get("assertion").split("\\.")[1])).get("scope").asText();
        assertThat(scope.split(" ")).containsExactlyInAnyOrder(CALENDAR, GMAIL_SEND);
    }

    @Test
    void malloryCannotBeActedAsFromOutsideTheDomainNorGetScopesNotDelegated() throws Exception {
        ServerCredential credential = delegation.accept(provider(), input(), NOW);

        assertThat(delegation.checkSubject(credential, "lise@ACME.example")).isEmpty();
        assertThat(delegation.checkSubject(credential, "mallory@attacker.example")).contains(
                "the user to act as is outside the Workspace domain acme.example");
        assertThat(delegation.checkSubject(credential, "mallory@acme.example.attacker.example")).isPresent();
        assertThat(delegation.checkSubject(credential, "mallory@sub.acme.example")).isPresent();
        assertThat(delegation.checkSubject(credential, "mallory@attacker.example@acme.example")).isPresent();
        assertThat(delegation.checkSubject(credential, "acme.example")).isPresent();
        assertThat(delegation.checkSubject(credential, null)).isPresent();
        assertThatThrownBy(() -> delegation.mintRequest(provider(), credential, "mallory@attacker.example", Set.of(), NOW))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> delegation.mintRequest(provider(), credential, "lise@acme.example",
                Set.of("https://www.googleapis.com/auth/admin.directory.user"), NOW)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aWorkspaceAddressInAnyCaseIsOneUserActedAsInLowerCase() throws Exception {
        ServerCredential credential = delegation.accept(provider(), input(), NOW);

        // Workspace addresses are case-insensitive: every spelling is the one user Keycloak keeps in lower case
        assertThat(delegation.normalizedSubject("Lise@ACME.Example")).isEqualTo("lise@acme.example")
                .isEqualTo(delegation.normalizedSubject("lise@acme.example"));
        assertThat(delegation.normalizedSubject(null)).isNull();
        String subject = delegation.normalizedSubject("Lise@ACME.Example");
        assertThat(delegation.checkSubject(credential, subject)).isEmpty();
        // the domain check does not depend on the spelling either: outside stays outside in any case
        assertThat(delegation.checkSubject(credential, delegation.normalizedSubject("Mallory@ATTACKER.example"))).isPresent();

        MintRequest mint = delegation.mintRequest(provider(), credential, subject, Set.of(CALENDAR), NOW).orElseThrow();
        JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(mint.form().get("assertion").split("\\.")[1]));
        assertThat(claims.get("sub").asText()).isEqualTo("lise@acme.example");
    }

    @Test
    void badInputIsRefusedNamingWhatIsWrong() {
        assertRefused(without("service_account_key"), "service_account_key is required");
        assertRefused(with("service_account_key", "{not json"), "not valid JSON");
        assertRefused(with("domain", "acme"), "domain is not a domain name");
        assertRefused(with("domain", "acme.example/evil"), "domain is not a domain name");
        assertRefused(without("scopes"), "scopes is required");
        assertRefused(with("scopes", CALENDAR + " \"quoted\""), "a scope with characters");
    }

    @Test
    void onlyTheClientsAnAdminListedMayNameTheWorkspaceUserToActAs() throws Exception {
        ServerCredential none = delegation.accept(provider(), input(), NOW);
        assertThat(none.shown()).doesNotContainKey("subject_clients");
        assertThat(delegation.checkNamer(none, "sync-job")).get().asString().contains("subject_clients");

        ServerCredential listed = delegation.accept(provider(), with("subject_clients", " sync-job  backup-job sync-job "), NOW);
        assertThat(listed.shown()).containsEntry("subject_clients", "sync-job backup-job");
        assertThat(delegation.checkNamer(listed, "sync-job")).isEmpty();
        assertThat(delegation.checkNamer(listed, "backup-job")).isEmpty();
        // Mallory's client is not listed, nor is a prefix or a space-joined pair of the listed ones
        assertThat(delegation.checkNamer(listed, "mallory-job")).isPresent();
        assertThat(delegation.checkNamer(listed, "sync")).isPresent();
        assertThat(delegation.checkNamer(listed, "sync-job backup-job")).isPresent();
        assertThat(delegation.checkNamer(listed, null)).isPresent();

        assertRefused(with("subject_clients", "sync-job <script>"), "subject_clients has a client id");
        assertRefused(with("subject_clients", String.join(" ", java.util.Collections.nCopies(51, "a").stream()
                .map(a -> a + java.util.UUID.randomUUID()).toList())), "names more than 50 clients");
    }

    @Test
    void googlesRefusalsAreReadPerConnectionOrPerUser() {
        assertThat(delegation.readRefusal(401, "unauthorized_client",
                "Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested."))
                .satisfies(refusal -> {
                    assertThat(refusal.code()).isEqualTo("delegation_refused");
                    assertThat(refusal.adminAction()).isTrue();
                    assertThat(refusal.subjectOnly()).isFalse();
                });
        assertThat(delegation.readRefusal(400, "invalid_grant", "Invalid email or User ID")).satisfies(refusal -> {
            assertThat(refusal.code()).isEqualTo("unknown_user");
            assertThat(refusal.subjectOnly()).isTrue();
        });
        assertThat(delegation.readRefusal(400, "invalid_grant", "Invalid JWT Signature.").code()).isEqualTo("key_refused");
        assertThat(delegation.readRefusal(503, null, null).adminAction()).isFalse();
    }

    @Test
    void theGoogleBrokerOffersTheServiceAccountKind() {
        assertThat(new GoogleIdentityProviderFactory().serverGrantKinds()).extracting(kind -> kind.id())
                .containsExactly("google-service-account");
    }

    private void assertRefused(Map<String, String> input, String words) {
        assertThatThrownBy(() -> delegation.accept(provider(), input, NOW)).isInstanceOf(KeyMaterialException.class)
                .hasMessageContaining(words);
    }

    private Map<String, String> input() {
        ObjectNode file = JSON.createObjectNode();
        file.put("type", "service_account");
        file.put("project_id", "acme-sync");
        file.put("private_key_id", "kid-7");
        file.put("private_key", RsaKeys.pem(keys.getPrivate()));
        file.put("client_email", "sync@acme-sync.iam.gserviceaccount.com");
        file.put("client_id", "104857600000000000001");
        return new HashMap<>(Map.of("service_account_key", file.toString(), "domain", "Acme.Example",
                "scopes", CALENDAR + " " + GMAIL_SEND));
    }

    private Map<String, String> with(String name, String value) {
        Map<String, String> input = input();
        input.put(name, value);
        return input;
    }

    private Map<String, String> without(String name) {
        Map<String, String> input = input();
        input.remove(name);
        return input;
    }

    private static IdentityProviderModel provider() {
        IdentityProviderModel model = new IdentityProviderModel();
        model.setAlias("google");
        model.setProviderId(GoogleIdentityProviderFactory.PROVIDER_ID);
        model.setConfig(new HashMap<>(Map.of("tokenUrl", "http://sandbox.test/google/token")));
        return model;
    }
}
