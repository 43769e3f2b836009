package dev.conduit.demoapp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class OidcClientTest {

    static final DemoAppConfig CONFIG = new DemoAppConfig(URI.create("http://localhost:8080/"), "conduit-demo",
            "conduit-demo-app", "conduit-internal-app", "s3cr3t", 0, URI.create("http://localhost:8089/hubspot"),
            URI.create("http://localhost:8089/google"));
    private static final String ISSUER = "http://localhost:8080/realms/conduit-demo";
    private final OidcClient oidc = new OidcClient(CONFIG, HttpClient.newHttpClient());

    @Test
    void signInSendsStateNonceAndAnS256ChallengeButNeverTheVerifier() {
        Authorization signIn = Authorization.start(Authorization.Purpose.signIn(), 0);
        String url = oidc.authorizationUrl(signIn, "http://localhost:8090/callback");
        Map<String, String> query = query(url);

        assertThat(url).startsWith(ISSUER + "/protocol/openid-connect/auth?");
        assertThat(query).containsEntry("client_id", "conduit-demo-app").containsEntry("response_type", "code")
                .containsEntry("redirect_uri", "http://localhost:8090/callback")
                .containsEntry("state", signIn.state()).containsEntry("nonce", signIn.nonce())
                .containsEntry("code_challenge", signIn.pkce().challenge()).containsEntry("code_challenge_method", "S256")
                .doesNotContainKey("kc_action");
        assertThat(query.get("scope")).startsWith("openid");
        assertThat(url).doesNotContain(signIn.pkce().verifier());
    }

    @Test
    void signingInThroughAProviderSkipsTheLoginPageWithAnIdpHint() {
        Authorization signIn = Authorization.start(Authorization.Purpose.signInWith("salesforce"), 0);
        assertThat(query(oidc.authorizationUrl(signIn, "http://localhost:8090/callback")))
                .containsEntry("kc_idp_hint", "salesforce").doesNotContainKey("kc_action")
                .containsEntry("state", signIn.state());
    }

    @Test
    void linkingAddsKeycloaksActionAndConduitsOrganizationAndScope() {
        Authorization grant = Authorization.start(new Authorization.Purpose(Authorization.Purpose.Kind.GRANT_MORE,
                "hubspot", "acme", "crm.objects.contacts.write"), 0);
        Map<String, String> query = query(oidc.authorizationUrl(grant, "http://localhost:8090/callback"));
        assertThat(query).containsEntry("kc_action", "idp_link:hubspot").containsEntry("conduit_organization", "acme")
                .containsEntry("conduit_scope", "crm.objects.contacts.write").containsEntry("state", grant.state());

        Authorization connect = Authorization.start(new Authorization.Purpose(Authorization.Purpose.Kind.CONNECT,
                "salesforce", null, null), 0);
        assertThat(query(oidc.authorizationUrl(connect, "http://x/callback")))
                .containsEntry("kc_action", "idp_link:salesforce").doesNotContainKeys("conduit_organization", "conduit_scope");
    }

    @Test
    void theIdTokenMustCarryThisSignInsNonceIssuerAndAudience() throws Exception {
        long now = 1_700_000_000L;
        Map<String, Object> claims = new LinkedHashMap<>(Map.of("iss", ISSUER, "aud", "conduit-demo-app", "exp", now + 300,
                "sub", "user-1", "name", "Ada Lovelace", "preferred_username", "ada", "nonce", "n-1"));
        String access = jwt(Map.of("organization", java.util.List.of("acme")));

        DemoSession.SignedInPerson ada = oidc.person(new KeycloakTokens(access, null, jwt(claims), now + 300, 0), "n-1", now);
        assertThat(ada.name()).isEqualTo("Ada Lovelace");
        assertThat(ada.organizations()).containsExactly("acme");

        assertThatThrownBy(() -> oidc.person(new KeycloakTokens(access, null, jwt(claims), 0, 0), "another nonce", now))
                .isInstanceOf(KeycloakRefusal.class).hasMessageContaining("nonce");
        assertThatThrownBy(() -> oidc.person(new KeycloakTokens(access, null, jwt(claims), 0, 0), null, now))
                .isInstanceOf(KeycloakRefusal.class);
        Map<String, Object> otherRealm = new LinkedHashMap<>(claims);
        otherRealm.put("iss", "http://localhost:8080/realms/other");
        assertThatThrownBy(() -> oidc.person(new KeycloakTokens(access, null, jwt(otherRealm), 0, 0), "n-1", now))
                .isInstanceOf(KeycloakRefusal.class).hasMessageContaining("issuer");
        Map<String, Object> otherApp = new LinkedHashMap<>(claims);
        otherApp.put("aud", java.util.List.of("another-app"));
        assertThatThrownBy(() -> oidc.person(new KeycloakTokens(access, null, jwt(otherApp), 0, 0), "n-1", now))
                .isInstanceOf(KeycloakRefusal.class).hasMessageContaining("not issued to this app");
        assertThatThrownBy(() -> oidc.person(new KeycloakTokens(access, null, jwt(claims), 0, 0), "n-1", now + 301))
                .isInstanceOf(KeycloakRefusal.class).hasMessageContaining("expired");
        assertThatThrownBy(() -> oidc.person(new KeycloakTokens(access, null, "not-a-jwt", 0, 0), "n-1", now))
                .isInstanceOf(KeycloakRefusal.class);
    }

    @Test
    void organizationsAreReadFromEitherShapeOfKeycloaksClaim() throws Exception {
        ObjectMapper json = new ObjectMapper();
        assertThat(OidcClient.organizations(json.readTree("{\"organization\":[\"acme\",\"globex\"]}")))
                .containsExactly("acme", "globex");
        assertThat(OidcClient.organizations(json.readTree("{\"organization\":{\"acme\":{\"id\":\"1\"}}}")))
                .containsExactly("acme");
        assertThat(OidcClient.organizations(json.readTree("{}"))).isEmpty();
    }

    @Test
    void logoutNamesTheAppAndWhereToReturn() {
        Map<String, String> query = query(oidc.logoutUrl("id.token.value", "http://localhost:8090/"));
        assertThat(query).containsEntry("client_id", "conduit-demo-app")
                .containsEntry("post_logout_redirect_uri", "http://localhost:8090/")
                .containsEntry("id_token_hint", "id.token.value");
    }

    static String jwt(Map<String, Object> claims) throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString("{\"alg\":\"RS256\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(new ObjectMapper().writeValueAsBytes(claims)) + ".c2ln";
    }

    private static Map<String, String> query(String url) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String pair : URI.create(url).getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            values.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return values;
    }
}
