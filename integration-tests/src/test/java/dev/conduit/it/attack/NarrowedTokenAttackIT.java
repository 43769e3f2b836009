package dev.conduit.it.attack;

import static dev.conduit.it.support.ConduitEnvironment.REALM;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.oauth2.sdk.dpop.DefaultDPoPProofFactory;
import dev.conduit.it.support.AdminApi;
import dev.conduit.it.support.AppTokens;
import dev.conduit.it.support.BrokerFlows;
import dev.conduit.it.support.BrowserSession;
import dev.conduit.it.support.ConduitEnvironment;
import dev.conduit.it.support.Refusals;
import dev.conduit.it.support.RealmSetup;
import dev.conduit.it.support.Secrets;
import dev.conduit.it.support.VaultApi;
import dev.conduit.sandbox.Accounts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Attacks on least privilege along a chain of narrowed tokens (issue 11, items 1 and 5). The attackers: a
 * downstream service holding a token the internal app narrowed to Dorothy's HubSpot connection with one
 * permission, which tries to get an unbound, wider or other-connection token out of it in every form the token
 * endpoint takes; and a confidential client holding a sender-constrained (DPoP-bound) token without its key.
 * Each attack asserts the standard refusal and that no connection changed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NarrowedTokenAttackIT {

    private static final String DOWNSTREAM = "conduit-atk-downstream";
    private static final String HELD = "crm.contacts.read";
    /** A permission the downstream client may use but the narrowed token does not hold. */
    private static final String NOT_HELD = "crm.deals.write";
    private static final String TOKEN_URL_PATH = "/protocol/openid-connect/token";
    private static final String REFRESH_TYPE = "urn:ietf:params:oauth:token-type:refresh_token";
    private static final String ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token";

    private static final String ACCESS_TOKEN_ONLY = "A token narrowed to a connection is issued only as an access token";
    private static final String BOUND_ELSEWHERE = "The subject token is bound to another connection";
    private final ConduitEnvironment env = ConduitEnvironment.get();
    private final AdminApi admin = env.admin();
    private final RealmSetup realm = new RealmSetup(admin);
    private final AppTokens apps = new AppTokens(env);
    private final VaultApi vault = new VaultApi(env);
    private final String downstreamSecret = Secrets.generate();
    private String internalAppId;
    private String narrowed;

    @BeforeAll
    void setUp() {
        internalAppId = realm.clientUuid(AppTokens.INTERNAL_APP);
        createDownstream();
        realm.addAudienceMapper(internalAppId, "atk audience " + DOWNSTREAM, DOWNSTREAM);
        admin.deleteUserByEmail(REALM, Accounts.HUBSPOT_DOROTHY.email());
        BrowserSession.Page end = new BrokerFlows(env).login(new BrowserSession(), "hubspot", Accounts.HUBSPOT_DOROTHY);
        String userToken = apps.accessToken(end);
        narrowed = ok(exchangeAs(AppTokens.basic(AppTokens.INTERNAL_APP, apps.internalSecret()), userToken,
                Map.of("audience", DOWNSTREAM, "conduit_connection", "hubspot", "scope", HELD))).get("access_token").asText();
        JsonNode claims = claims(narrowed);
        assertThat(claims.get("conduit_connection").get("provider").asText()).isEqualTo("hubspot");
        assertThat(claims.get("scope").asText().split(" ")).contains(HELD).doesNotContain(NOT_HELD);
    }

    @AfterAll
    void tearDown() {
        admin.deleteUserByEmail(REALM, Accounts.HUBSPOT_DOROTHY.email());
        String downstream = realm.clientUuidOrNull(DOWNSTREAM);
        if (downstream != null) {
            admin.call("DELETE", REALM + "/clients/" + downstream, null);
        }
        for (JsonNode mapper : admin.get(REALM + "/clients/" + internalAppId + "/protocol-mappers/models")) {
            if (mapper.get("name").asText().equals("atk audience " + DOWNSTREAM)) {
                admin.call("DELETE", REALM + "/clients/" + internalAppId + "/protocol-mappers/models/" + mapper.get("id").asText(), null);
            }
        }
    }

    @Test
    void downstreamServiceCannotStripTheBindingWithATrailingDot() {
        assertStaysNarrowed(narrowed + ".");
    }

    @Test
    void downstreamServiceCannotStripTheBindingByPaddingTheTokenPast16KiB() {
        assertStaysNarrowed(narrowed + ".".repeat(16_500));
    }

    @Test
    void downstreamServiceGetsNoRefreshTokenThatWouldRefreshUnbound() {
        for (String subject : List.of(narrowed, narrowed + ".")) {
            String before = vault.all().toString();
            refused(downstream(subject, Map.of("audience", DOWNSTREAM, "requested_token_type", REFRESH_TYPE)), "invalid_request",
                    ACCESS_TOKEN_ONLY);
            refused(downstream(subject, Map.of("audience", DOWNSTREAM, "conduit_connection", "hubspot",
                    "requested_token_type", REFRESH_TYPE)), "invalid_request", ACCESS_TOKEN_ONLY);
            assertThat(vault.all().toString()).as("no connection changed").isEqualTo(before);
        }
    }

    @Test
    void downstreamServiceGetsNoIdToken() {
        for (String subject : List.of(narrowed, narrowed + ".")) {
            refused(downstream(subject, Map.of("audience", DOWNSTREAM, "requested_token_type", ID_TOKEN_TYPE)), "invalid_request",
                    ACCESS_TOKEN_ONLY);
            refused(downstream(subject, Map.of("audience", DOWNSTREAM, "conduit_connection", "hubspot",
                    "requested_token_type", ID_TOKEN_TYPE)), "invalid_request", ACCESS_TOKEN_ONLY);
        }
    }

    @Test
    void downstreamServiceReachesNoOtherProviderOrSubjectThroughKeycloaksOtherExchangeForms() {
        String before = vault.all().toString();
        for (String subject : List.of(narrowed, narrowed + ".")) {
            refused(downstream(subject, Map.of("requested_issuer", ConduitEnvironment.GOOGLE_STORED_ALIAS)), "invalid_target",
                    "The subject token is bound to a connection, or asks for one: no other provider's token is issued for it");
            refused(downstream(subject, Map.of("requested_issuer", "salesforce")), "invalid_target", BOUND_ELSEWHERE);
            refused(downstream(subject, Map.of("audience", "salesforce")), "invalid_target", BOUND_ELSEWHERE);
            refused(downstream(subject, Map.of("audience", DOWNSTREAM, "requested_subject", ConduitEnvironment.EXISTING_USER)),
                    "invalid_request", "requested_subject is not supported for a token bound to a connection");
            refused(downstream(subject, Map.of("audience", DOWNSTREAM, "conduit_connection", "salesforce")), "invalid_target",
                    BOUND_ELSEWHERE);
        }
        // the same token under another subject_token_type is not an access token Conduit or Keycloak exchanges
        for (String type : List.of("urn:ietf:params:oauth:token-type:jwt", ID_TOKEN_TYPE, REFRESH_TYPE)) {
            Map<String, String> form = AppTokens.exchangeForm(narrowed + ".", Map.of("audience", DOWNSTREAM));
            form.put("subject_token_type", type);
            refused(apps.post(env.realmUrl() + TOKEN_URL_PATH, form, AppTokens.basic(DOWNSTREAM, downstreamSecret)), "invalid_request",
                    "subject_token_type must be an access token");
        }
        assertThat(vault.all().toString()).as("no connection changed").isEqualTo(before);
    }

    @Test
    void confidentialClientCannotExchangeAnotherAppsDpopBoundToken() throws JOSEException {
        ECKey appKey = new ECKeyGenerator(Curve.P_256).generate();
        BrowserSession.Page end = new BrokerFlows(env).login(new BrowserSession(), "hubspot", Accounts.HUBSPOT_DOROTHY);
        String bound = redeemWithDpop(end.callbackParameter("code"), appKey);
        assertThat(claims(bound).path("cnf").path("jkt").asText()).as("the demo app's token is DPoP-bound").isNotEmpty();
        String before = vault.all().toString();

        // the internal app is in the token's audience but is not its azp, and it holds no proof of the app's key
        String internal = AppTokens.basic(AppTokens.INTERNAL_APP, apps.internalSecret());
        String notItsAzp = "A sender-constrained subject token is exchanged only by the client it was issued to";
        refused(exchangeAs(internal, bound, Map.of("audience", "hubspot", "scope", HELD)), "invalid_request", notItsAzp);
        refused(exchangeAs(internal, bound, Map.of("audience", DOWNSTREAM, "conduit_connection", "hubspot", "scope", HELD)),
                "invalid_request", notItsAzp);
        assertThat(vault.all().toString()).as("no connection changed").isEqualTo(before);
    }

    @Test
    void holderOfADpopBoundTokenWithoutItsKeyIsRefused() throws JOSEException {
        ECKey key = new ECKeyGenerator(Curve.P_256).generate();
        ECKey otherKey = new ECKeyGenerator(Curve.P_256).generate();
        String internal = AppTokens.basic(AppTokens.INTERNAL_APP, apps.internalSecret());
        HttpResponse<String> issued = post(Map.of("grant_type", "client_credentials"), internal, proof(key));
        assertThat(issued.statusCode()).as(AppTokens.redacted(issued)).isEqualTo(200);
        String bound = AppTokens.json(issued).get("access_token").asText();
        assertThat(claims(bound).path("cnf").path("jkt").asText()).isNotEmpty();
        String before = vault.all().toString();

        Map<String, String> upstream = AppTokens.exchangeForm(bound, Map.of("audience", "hubspot", "scope", HELD));
        refused(post(upstream, internal, null), "invalid_request", "DPoP proof is missing");
        refused(post(upstream, internal, proof(otherKey)), "invalid_request", "The DPoP proof is not for the subject token's key");
        // with the key's proof, the token passes the binding check (and meets the next one: its service account has
        // no HubSpot connection)
        HttpResponse<String> proven = post(upstream, internal, proof(key));
        assertThat(proven.body()).doesNotContain("DPoP");
        assertThat(vault.all().toString()).as("no connection changed").isEqualTo(before);
    }

    /** Whatever the attacker sends, the answer is a token bound to HubSpot holding no more than {@link #HELD}, or a refusal. */
    private void assertStaysNarrowed(String mangled) {
        String before = vault.all().toString();
        refused(downstream(mangled, Map.of("audience", DOWNSTREAM, "scope", NOT_HELD)), "invalid_scope",
                "Not allowed for this client, not held by the subject token or not available at hubspot: " + NOT_HELD);
        refused(downstream(mangled, Map.of("audience", "hubspot", "scope", NOT_HELD)), "invalid_scope",
                "Beyond what the subject token holds: " + NOT_HELD);

        JsonNode again = ok(downstream(mangled, Map.of("audience", DOWNSTREAM, "scope", HELD)));
        JsonNode claims = claims(again.get("access_token").asText());
        assertThat(claims.path("conduit_connection").path("provider").asText()).as(claims.toString()).isEqualTo("hubspot");
        assertThat(claims.get("scope").asText().split(" ")).doesNotContain(NOT_HELD);
        assertThat(again.has("refresh_token")).isFalse();
        // no scope: the permissions the bound token holds that the downstream client may use, nothing else
        JsonNode defaulted = claims(ok(downstream(mangled, Map.of("audience", DOWNSTREAM))).get("access_token").asText());
        assertThat(defaulted.path("conduit_connection").path("provider").asText()).isEqualTo("hubspot");
        assertThat(defaulted.get("scope").asText().split(" ")).contains(HELD).doesNotContain(NOT_HELD);
        // and what it got cannot reach another connection either
        refused(downstream(again.get("access_token").asText(), Map.of("audience", "salesforce")), "invalid_target", BOUND_ELSEWHERE);
        assertThat(vault.all().toString()).as("no connection changed").isEqualTo(before);
    }

    private HttpResponse<String> downstream(String subject, Map<String, String> params) {
        return exchangeAs(AppTokens.basic(DOWNSTREAM, downstreamSecret), subject, params);
    }

    private HttpResponse<String> exchangeAs(String authorization, String subject, Map<String, String> params) {
        return apps.post(env.realmUrl() + TOKEN_URL_PATH, AppTokens.exchangeForm(subject, params), authorization);
    }

    private String redeemWithDpop(String code, ECKey key) throws JOSEException {
        HttpResponse<String> answer = post(Map.of("grant_type", "authorization_code", "client_id", ConduitEnvironment.APP_CLIENT,
                "code", code, "redirect_uri", ConduitEnvironment.APP_REDIRECT, "code_verifier",
                ConduitEnvironment.APP_PKCE_VERIFIER), null, proof(key));
        assertThat(answer.statusCode()).as(AppTokens.redacted(answer)).isEqualTo(200);
        return AppTokens.json(answer).get("access_token").asText();
    }

    private String proof(ECKey key) throws JOSEException {
        return new DefaultDPoPProofFactory(key, JWSAlgorithm.ES256)
                .createDPoPJWT("POST", URI.create(env.realmUrl() + TOKEN_URL_PATH)).serialize();
    }

    private HttpResponse<String> post(Map<String, String> form, String authorization, String dpop) {
        return apps.postBody(env.realmUrl() + TOKEN_URL_PATH, AppTokens.formBody(form.entrySet()), authorization,
                dpop == null ? Map.of() : Map.of("DPoP", dpop));
    }

    private static JsonNode ok(HttpResponse<String> answer) {
        assertThat(answer.statusCode()).as(AppTokens.redacted(answer)).isEqualTo(200);
        return AppTokens.json(answer);
    }

    /** A 400 with the RFC 6749 error of the check that should refuse (its description) and no token. */
    private static HttpResponse<String> refused(HttpResponse<String> answer, String error, String descriptionPart) {
        JsonNode body = Refusals.assertRefused(answer, 400, error, descriptionPart);
        assertThat(body.has("id_token")).as(AppTokens.redacted(answer)).isFalse();
        return answer;
    }

    private static JsonNode claims(String jwt) {
        try {
            return AdminApi.mapper().readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void createDownstream() {
        Map<String, Object> client = new LinkedHashMap<>();
        client.put("clientId", DOWNSTREAM);
        client.put("publicClient", false);
        client.put("secret", downstreamSecret);
        client.put("standardFlowEnabled", false);
        // refresh tokens from the standard exchange allowed for this client: a bound subject must still get none
        client.put("attributes", Map.of("standard.token.exchange.enabled", "true",
                "standard.token.exchange.enableRefreshRequestedTokenType", "SAME_SESSION",
                "conduit.exchange.providers", "salesforce hubspot"));
        String id = realm.recreateClient(client);
        for (String scope : List.of(HELD, NOT_HELD)) {
            RealmSetup.expect(204, admin.call("PUT", REALM + "/clients/" + id + "/optional-client-scopes/" + realm.scopeId(scope), null));
        }
        realm.addClaimMapper(id);
        realm.addAudienceMapper(id, "atk audience " + DOWNSTREAM, DOWNSTREAM);
    }

}
