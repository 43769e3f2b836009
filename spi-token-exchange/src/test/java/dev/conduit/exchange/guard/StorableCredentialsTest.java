package dev.conduit.exchange.guard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class StorableCredentialsTest {

    private static String basic(String credentials) {
        return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void basicCredentialsWithANulAreAnInvalidClient() {
        assertThat(StorableCredentials.checkAuthorization(basic("app\0:secret"))).get()
                .extracting(StorableCredentials.Refusal::error).isEqualTo("invalid_client");
        assertThat(StorableCredentials.checkAuthorization(basic("app%00:secret"))).isPresent();
        assertThat(StorableCredentials.checkAuthorization("basic " + Base64.getEncoder().encodeToString(new byte[] {'a', 0, ':', 'b'})))
                .isPresent();
    }

    @Test
    void ordinaryOrUndecodableHeadersAreLeftToKeycloak() {
        assertThat(StorableCredentials.checkAuthorization(basic("conduit-internal-app:s3cr%3At"))).isEmpty();
        assertThat(StorableCredentials.checkAuthorization("Basic !!not-base64!!")).isEmpty();
        assertThat(StorableCredentials.checkAuthorization("Bearer abc%00")).isEmpty();
        assertThat(StorableCredentials.checkAuthorization(null)).isEmpty();
    }

    @Test
    void aFormParameterHoldingANulIsRefusedAndNamed() {
        assertThat(StorableCredentials.checkForm(Map.of("grant_type", List.of("client_credentials"), "client_id", List.of("app\0x"))))
                .get().isEqualTo(new StorableCredentials.Refusal("invalid_client", "Parameter client_id must not contain a NUL character"));
        assertThat(StorableCredentials.checkForm(Map.of("audience", List.of("salesforce", "sales\0force")))).get()
                .extracting(StorableCredentials.Refusal::error).isEqualTo("invalid_request");
        assertThat(StorableCredentials.checkForm(Map.of("x\0y", List.of("1")))).get()
                .extracting(StorableCredentials.Refusal::error).isEqualTo("invalid_request");
    }

    @Test
    void ordinaryFormsPass() {
        assertThat(StorableCredentials.checkForm(Map.of("grant_type", List.of("client_credentials"), "scope", List.of("a b", "%00"))))
                .isEmpty();
        assertThat(StorableCredentials.checkForm(Map.of("empty", List.of()))).isEmpty();
        assertThat(StorableCredentials.checkForm(null)).isEmpty();
    }

    @Test
    void aRawFormBodyIsDecodedOnlyWhenItCouldHoldANul() {
        assertThat(StorableCredentials.checkFormBody("grant_type=client_credentials&client_id=app%00x")).get()
                .extracting(StorableCredentials.Refusal::error).isEqualTo("invalid_client");
        assertThat(StorableCredentials.checkFormBody("audience=sales\0force")).get()
                .extracting(StorableCredentials.Refusal::error).isEqualTo("invalid_request");
        assertThat(StorableCredentials.checkFormBody("scope=a+b&client_id=app")).isEmpty();
        assertThat(StorableCredentials.checkFormBody("a=100%25%30%30")).as("an encoded percent sign is no NUL").isEmpty();
        assertThat(StorableCredentials.checkFormBody("a=%zz%00&b=1")).as("undecodable pairs are Keycloak's to refuse").isEmpty();
    }

    @Test
    void onlyClientAuthenticatingEndpointsAreGuarded() {
        assertThat(StorableCredentials.guardedPath("/realms/conduit-demo/protocol/openid-connect/token")).isTrue();
        assertThat(StorableCredentials.guardedPath("/realms/r/protocol/openid-connect/token/introspect/")).isTrue();
        assertThat(StorableCredentials.guardedPath("/realms/r/protocol/openid-connect/revoke")).isTrue();
        assertThat(StorableCredentials.guardedPath("/realms/r/protocol/openid-connect/auth")).isFalse();
        assertThat(StorableCredentials.guardedPath("/admin/realms/r/users")).isFalse();
    }

    @Test
    void namesInDescriptionsAreShortAndVisible() {
        assertThat(StorableCredentials.printable("a\"b\\c\u202Ed" + "x".repeat(100))).isEqualTo("a?b?c?d" + "x".repeat(33));
    }
}
