package dev.conduit.demoapp;

import java.util.Objects;

/**
 * One trip to Keycloak's authorization endpoint that the session is waiting to come back: its {@code state} (the
 * key it comes back with), PKCE verifier and nonce, and why it was started.
 */
public record Authorization(String state, Pkce pkce, String nonce, Purpose purpose, long startedAtMillis) {

    /**
     * What the trip is for: signing in (through a provider's broker when {@code provider} is set), or linking a
     * provider (for the person or one of their organizations).
     */
    public record Purpose(Kind kind, String provider, String organization, String extraScopes) {
        public enum Kind { SIGN_IN, CONNECT, RECONNECT, GRANT_MORE }

        public static Purpose signIn() {
            return new Purpose(Kind.SIGN_IN, null, null, null);
        }

        /** Signing in through this provider's broker straight away ({@code kc_idp_hint}), skipping the login page. */
        public static Purpose signInWith(String provider) {
            return new Purpose(Kind.SIGN_IN, provider, null, null);
        }

        public Purpose {
            Objects.requireNonNull(kind, "kind");
            if (kind != Kind.SIGN_IN) {
                Objects.requireNonNull(provider, "provider");
            }
        }
    }

    public static Authorization start(Purpose purpose, long nowMillis) {
        return new Authorization(Text.random(32), Pkce.create(), Text.random(32), purpose, nowMillis);
    }

    @Override
    public String toString() {
        return "Authorization[state=***, purpose=" + purpose + "]";
    }
}
