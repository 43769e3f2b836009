package dev.conduit.sandbox;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The token records the sandbox keeps, as a provider's authorization server would. */
final class Grants {

    record Code(String value, Provider provider, String clientId, String redirectUri, String challenge,
            String challengeMethod, Account account, Set<String> scopes, String nonce, boolean issueRefreshToken,
            long expiresAt) {
    }

    /** One refresh-token lineage: rotation replaces {@code current}; reuse of an old one kills the chain. */
    static final class Chain {
        final Provider provider;
        final String clientId;
        final Account account;
        final Set<String> scopes;
        volatile String current;
        final Set<String> rotatedAway = ConcurrentHashMap.newKeySet();
        volatile boolean revoked;

        Chain(Provider provider, String clientId, Account account, Set<String> scopes, String current) {
            this.provider = provider;
            this.clientId = clientId;
            this.account = account;
            this.scopes = scopes;
            this.current = current;
        }
    }

    record AccessToken(String value, Provider provider, String clientId, Account account, Set<String> scopes,
            long issuedAt, long expiresAt, Chain chain) {
    }

    /** Google remembers, per account and client, what was consented and whether a refresh token went out. */
    static final class Consent {
        final Set<String> scopes = ConcurrentHashMap.newKeySet();
        volatile boolean refreshTokenIssued;
    }

    private Grants() {
    }
}
