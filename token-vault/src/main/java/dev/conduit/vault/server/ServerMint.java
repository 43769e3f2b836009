package dev.conduit.vault.server;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import dev.conduit.api.server.MintRefusal;
import dev.conduit.api.server.MintRequest;
import dev.conduit.api.server.ServerCredential;
import dev.conduit.api.server.ServerGrantKind;
import dev.conduit.vault.refresh.RefreshFailure;
import dev.conduit.vault.upstream.TokenAnswer;
import dev.conduit.vault.upstream.UpstreamTokenCalls;
import org.keycloak.models.IdentityProviderModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;

/**
 * One attempt at a server connection's token, in the refresher's call step (no transaction open): the kind's mint
 * request sent and its answer read like a refresh's ({@link TokenAnswer}), or for a static token (HubSpot's private
 * app) its health check. A refusal is read by the kind ({@link ServerGrantKind#readRefusal}): one an admin must fix
 * becomes {@link RefreshFailure#ACTION_REQUIRED} with the kind's words, anything else stays transient. With a
 * credential rotated with an overlap ({@link #PREVIOUS_PRIVATE_KEY}), a mint the provider refuses as
 * {@value #ASSERTION_REFUSED} is tried once more with the previous key.
 */
public final class ServerMint {

    /** A static token's nominal lifetime (it does not expire): what the exchange's {@code expires_in} says, 30 days. */
    public static final long STATIC_LIFETIME_SECONDS = 30L * 24 * 3600;
    /** The sealed field a rotated credential keeps its previous key under, until the new key minted. */
    public static final String PREVIOUS_PRIVATE_KEY = "previous_private_key";
    static final String PRIVATE_KEY = "private_key";
    static final String ASSERTION_REFUSED = "assertion_refused";

    /** The provider's side of it: Keycloak's HTTP client in the vault, a fake in tests. */
    public interface Endpoint {
        TokenAnswer mint(MintRequest request);

        /** The status of an authenticated GET; 0 when no answer came. */
        int check(String url, String bearerToken);

        /** Keycloak's HTTP client with these timeouts, in a session of its own that never begins a transaction. */
        static Endpoint keycloak(KeycloakSessionFactory factory, int connectTimeoutMillis, int readTimeoutMillis) {
            return new Endpoint() {
                @Override
                public TokenAnswer mint(MintRequest request) {
                    try (KeycloakSession session = factory.create()) {
                        return new UpstreamTokenCalls(session, connectTimeoutMillis, readTimeoutMillis).mint(request);
                    }
                }

                @Override
                public int check(String url, String bearerToken) {
                    try (KeycloakSession session = factory.create()) {
                        return new UpstreamTokenCalls(session, connectTimeoutMillis, readTimeoutMillis).check(url, bearerToken);
                    }
                }
            };
        }
    }

    /** What one attempt got; {@code previousKeyMinted} when the token came from the previous key of an overlap. */
    public record Result(TokenAnswer answer, boolean previousKeyMinted) {
    }

    private final ServerGrantKind kind;
    private final IdentityProviderModel provider;
    private final ServerCredential credential;
    private final Endpoint endpoint;
    private final Supplier<Instant> clock;
    private final String subject;
    private volatile boolean previousKeyMinted;
    private volatile boolean subjectOnlyRefusal;

    public ServerMint(ServerGrantKind kind, IdentityProviderModel provider, ServerCredential credential, Endpoint endpoint,
            Supplier<Instant> clock) {
        this(kind, provider, credential, endpoint, clock, null);
    }

    /** @param subject for a per-user kind ({@link ServerGrantKind#perSubject}), the user to act as, checked already */
    public ServerMint(ServerGrantKind kind, IdentityProviderModel provider, ServerCredential credential, Endpoint endpoint,
            Supplier<Instant> clock, String subject) {
        this.subject = subject;
        this.kind = kind;
        this.provider = provider;
        this.credential = credential;
        this.endpoint = endpoint;
        this.clock = clock;
    }

    /** Whether the last attempt's token came from the previous key (the new certificate is not at the provider yet). */
    public boolean previousKeyMinted() {
        return previousKeyMinted;
    }

    /** Whether the credential still holds a previous key (rotated with an overlap). */
    public boolean holdsPreviousKey() {
        return credential.sealed(PREVIOUS_PRIVATE_KEY) != null;
    }

    /** Whether the last attempt's refusal concerns its subject only (a Workspace user unknown to Google). */
    public boolean subjectOnlyRefusal() {
        return subjectOnlyRefusal;
    }

    public TokenAnswer attempt() {
        previousKeyMinted = false;
        subjectOnlyRefusal = false;
        Optional<String> staticToken = kind.staticToken(credential);
        if (staticToken.isPresent()) {
            return health(staticToken.get());
        }
        TokenAnswer answer = mintWith(credential);
        if (answer instanceof TokenAnswer.Refused refused && ASSERTION_REFUSED.equals(refused.error()) && holdsPreviousKey()) {
            TokenAnswer previous = mintWith(withPreviousKey());
            if (previous instanceof TokenAnswer.Granted) {
                previousKeyMinted = true;
                return previous;
            }
        }
        return answer;
    }

    private ServerCredential withPreviousKey() {
        Map<String, String> sealed = new java.util.LinkedHashMap<>(credential.sealed());
        sealed.put(PRIVATE_KEY, sealed.remove(PREVIOUS_PRIVATE_KEY));
        return new ServerCredential(credential.kind(), credential.shown(), sealed, credential.scopes());
    }

    private TokenAnswer mintWith(ServerCredential using) {
        MintRequest request = kind.mintRequest(provider, using, subject, Set.of(), clock.get())
                .orElseThrow(() -> new IllegalStateException(kind.id() + " gave no mint request"));
        return read(endpoint.mint(request), request.lifetimeWithoutExpiresIn());
    }

    /** A granted mint gets its lifetime and scopes filled; a refusal is read by the kind. */
    TokenAnswer read(TokenAnswer answer, long lifetimeWithoutExpiresIn) {
        if (answer instanceof TokenAnswer.Granted granted) {
            return new TokenAnswer.Granted(granted.accessToken(), null,
                    granted.expiresIn() != null ? granted.expiresIn() : lifetimeWithoutExpiresIn,
                    granted.scopes() != null ? granted.scopes() : scopesOrNull(), granted.instanceUrl());
        }
        TokenAnswer.Refused refused = (TokenAnswer.Refused) answer;
        if (refused.status() <= 0) {
            return refused; // no answer (transient) or not sent
        }
        return refusal(refused.status(), kind.readRefusal(refused.status(), refused.error(), refused.description()),
                refused);
    }

    private TokenAnswer health(String token) {
        String url = kind.healthCheckUrl(provider).orElse(null);
        if (url == null) {
            return granted(token);
        }
        int status = endpoint.check(url, token);
        if (status >= 200 && status < 300) {
            return granted(token);
        }
        if (status == 0) {
            return new TokenAnswer.Refused(RefreshFailure.TRANSIENT, 0, "health check unreachable", null);
        }
        return refusal(status, kind.readRefusal(status, null, null), null);
    }

    private TokenAnswer granted(String token) {
        return new TokenAnswer.Granted(token, null, STATIC_LIFETIME_SECONDS, scopesOrNull(), null);
    }

    private TokenAnswer refusal(int status, MintRefusal refusal, TokenAnswer.Refused original) {
        subjectOnlyRefusal = refusal.subjectOnly();
        if (refusal.adminAction()) {
            return new TokenAnswer.Refused(RefreshFailure.ACTION_REQUIRED, status, refusal.code(), null, refusal.words());
        }
        return new TokenAnswer.Refused(RefreshFailure.TRANSIENT, status,
                original == null ? refusal.code() : original.error(), original == null ? null : original.retryAfter(),
                refusal.words());
    }

    private Set<String> scopesOrNull() {
        return credential.scopes().isEmpty() ? null : credential.scopes();
    }
}
