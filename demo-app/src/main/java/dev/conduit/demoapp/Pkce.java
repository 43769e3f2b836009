package dev.conduit.demoapp;

import java.util.Base64;

/** An RFC 7636 PKCE pair with method S256: the verifier stays on the server, the challenge goes to Keycloak. */
public record Pkce(String verifier, String challenge) {

    public static Pkce create() {
        String verifier = Text.random(32);
        return new Pkce(verifier, challengeOf(verifier));
    }

    /** {@code BASE64URL(SHA256(ASCII(verifier)))}, RFC 7636 §4.2. */
    public static String challengeOf(String verifier) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Text.sha256(verifier));
    }

    @Override
    public String toString() {
        return "Pkce[verifier=***, challenge=" + challenge + "]";
    }
}
