package dev.conduit.api.server;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.keycloak.models.IdentityProviderModel;

/**
 * One way to get a provider token with no person's browser consent (issue 15): Salesforce's JWT bearer and client
 * credentials flows, Google's service account with domain-wide delegation, HubSpot's private app token. Each kind is
 * one class in its provider's folder, declared by the broker ({@code ConduitBroker.serverGrantKinds()}); the vault
 * seals what {@link #accept} keeps secret, mints with {@link #mintRequest} when a token is due, and reads a refusal
 * with {@link #readRefusal}. Pure: no HTTP, no storage, no clock of its own.
 */
public interface ServerGrantKind {

    /** The kind's id in the admin API, e.g. {@code salesforce-jwt-bearer}; unique across providers. */
    String id();

    /** One line for admins: what the kind is and what it needs at the provider. */
    String description();

    /** The fields {@link #accept} reads, for the admin API's list of kinds. */
    default java.util.List<ServerField> fields() {
        return java.util.List.of();
    }

    /**
     * The admin's input checked and split into what is shown and what is sealed; for a key the admin did not upload,
     * the kind makes one. A refusal says what is wrong in the admin's words (a 400) and repeats no secret.
     */
    ServerCredential accept(IdentityProviderModel provider, Map<String, String> input, Instant now) throws KeyMaterialException;

    /**
     * Whether the kind mints per subject (Google's delegation acts as each Workspace user): then {@link #mintRequest}
     * needs a subject, which {@link #checkSubject} accepts first.
     */
    default boolean perSubject() {
        return false;
    }

    /**
     * The subject as this kind's provider tells its users apart, so that two spellings of one user are one subject:
     * one cached token and lease, one decision ({@link #checkSubject}, {@link #checkNamer}), one {@code sub} sent.
     * Unchanged by default; Google's Workspace addresses are case-insensitive, so its delegation lower-cases them.
     */
    default String normalizedSubject(String subject) {
        return subject;
    }

    /** Why {@code subject} may not be acted as with this credential, or empty when it may. */
    default Optional<String> checkSubject(ServerCredential credential, String subject) {
        return subject == null ? Optional.empty() : Optional.of("this kind of connection acts as one account, not per user");
    }

    /**
     * Why the service account of the client {@code clientId} may not name the subject to act as (the exchange's
     * {@code requested_subject}), or empty when it may: a person always acts as themselves, and only a kind that
     * mints per subject lets an admin allow a client to name one.
     */
    default Optional<String> checkNamer(ServerCredential credential, String clientId) {
        return Optional.of("this connection acts as one account: requested_subject is for a connection that acts per user");
    }

    /**
     * The token request that mints a token now, for {@code subject} (null unless {@link #perSubject}) and
     * {@code scopes} (empty: all the credential's); empty for a static token ({@link #staticToken}).
     */
    Optional<MintRequest> mintRequest(IdentityProviderModel provider, ServerCredential credential, String subject,
            Set<String> scopes, Instant now);

    /** The token itself for a kind whose token does not expire (HubSpot's private app); empty for the others. */
    default Optional<String> staticToken(ServerCredential credential) {
        return Optional.empty();
    }

    /**
     * An authenticated GET that costs the provider little, to check a static token's health (its answer 200, or a
     * refusal read with {@link #readRefusal}); empty for the kinds whose mint is the check.
     */
    default Optional<String> healthCheckUrl(IdentityProviderModel provider) {
        return Optional.empty();
    }

    /** How the provider's refusal of a mint is read: an admin must act, or it is transient. */
    MintRefusal readRefusal(int status, String error, String description);
}
