package dev.conduit.vault.service;

import dev.conduit.vault.store.ConnectionEntity;
import org.keycloak.events.EventBuilder;
import org.keycloak.events.EventType;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

/**
 * Keycloak events for what happens to a connection. {@code EventType} is a closed enum, so Conduit reuses the
 * nearest types and says what happened in the {@value #ACTION} detail: connect, refresh, refresh_failure,
 * token_refused, revoke, revoke_failure, health_change. Details name the connection, never a token.
 */
final class VaultEvents {

    static final String ACTION = "conduit_action";

    private VaultEvents() {
    }

    static void connected(KeycloakSession session, RealmModel realm, ConnectionEntity row, boolean reconnect) {
        builder(session, realm, row, EventType.FEDERATED_IDENTITY_LINK, "connect")
                .detail("reconnect", String.valueOf(reconnect))
                .detail("connected_by", row.getConnectedBy())
                .detail("scope", row.getScopes() == null ? "" : row.getScopes())
                .success();
    }

    static void refreshed(KeycloakSession session, RealmModel realm, ConnectionEntity row, String trigger, boolean rotated) {
        builder(session, realm, row, EventType.IDENTITY_PROVIDER_RETRIEVE_TOKEN, "refresh")
                .detail("trigger", trigger)
                .detail("rotated", String.valueOf(rotated))
                .success();
    }

    static void refreshFailed(KeycloakSession session, RealmModel realm, ConnectionEntity row, String trigger, String reason) {
        builder(session, realm, row, EventType.IDENTITY_PROVIDER_RETRIEVE_TOKEN_ERROR, "refresh_failure")
                .detail("trigger", trigger)
                .error(reason);
    }

    /**
     * An app reported the connection's current access token refused by the provider; {@code outcome} is what the
     * vault did: refresh, too_soon (limited) or needs_attention, and the refusal refreshes in the window counting
     * this one. Never the token or its hash.
     */
    static void tokenRefused(KeycloakSession session, RealmModel realm, ConnectionEntity row, String outcome,
            int refreshesInWindow) {
        EventBuilder event = builder(session, realm, row, "refresh".equals(outcome) ? EventType.IDENTITY_PROVIDER_RETRIEVE_TOKEN
                : EventType.IDENTITY_PROVIDER_RETRIEVE_TOKEN_ERROR, "token_refused")
                .detail("outcome", outcome)
                .detail("refusal_refreshes", String.valueOf(refreshesInWindow));
        if ("refresh".equals(outcome)) {
            event.success();
        } else {
            event.error(outcome);
        }
    }

    static void revoked(KeycloakSession session, RealmModel realm, ConnectionEntity row, String why, String outcome) {
        builder(session, realm, row, EventType.REMOVE_FEDERATED_IDENTITY, "revoke")
                .detail("why", why)
                .detail("outcome", outcome)
                .success();
    }

    /** A parked row's revocation done: its events name what caused it and the owner that disconnected, if any. */
    static void revoked(KeycloakSession session, RealmModel realm, ConnectionEntity row, ParkedFor parked, String outcome) {
        owned(builder(session, realm, row, EventType.REMOVE_FEDERATED_IDENTITY, "revoke"), parked)
                .detail("why", parked.why())
                .detail("outcome", outcome)
                .success();
    }

    static void revokeFailed(KeycloakSession session, RealmModel realm, ConnectionEntity row, ParkedFor parked, String reason) {
        owned(builder(session, realm, row, EventType.REMOVE_FEDERATED_IDENTITY_ERROR, "revoke_failure"), parked)
                .detail("why", parked.why())
                .error(reason);
    }

    private static EventBuilder owned(EventBuilder event, ParkedFor parked) {
        if ("USER".equals(parked.ownerKind())) {
            event.user(parked.ownerId());
        } else if ("ORGANIZATION".equals(parked.ownerKind())) {
            event.detail("organization_id", parked.ownerId());
        } else if ("REALM".equals(parked.ownerKind())) {
            event.detail("disconnected_owner_kind", "REALM");
        }
        return event;
    }

    static void revokeFailed(KeycloakSession session, RealmModel realm, ConnectionEntity row, String why, String reason) {
        builder(session, realm, row, EventType.REMOVE_FEDERATED_IDENTITY_ERROR, "revoke_failure")
                .detail("why", why)
                .error(reason);
    }

    /** A recovery (now HEALTHY) is a success event; any other change is an error event, the reason its error. */
    static void healthChanged(KeycloakSession session, RealmModel realm, ConnectionEntity row, String from, String reason) {
        boolean healthy = ConnectionStatus.HEALTHY.name().equals(row.getStatus());
        EventBuilder event = builder(session, realm, row,
                healthy ? EventType.IDENTITY_PROVIDER_RETRIEVE_TOKEN : EventType.IDENTITY_PROVIDER_RETRIEVE_TOKEN_ERROR, "health_change")
                .detail("previous_status", from)
                .detail("status", row.getStatus())
                .detail("reason", reason == null ? "status_changed" : reason);
        if (healthy) {
            event.success();
        } else {
            event.error(reason == null ? "status_changed" : reason);
        }
    }

    private static EventBuilder builder(KeycloakSession session, RealmModel realm, ConnectionEntity row, EventType type,
            String action) {
        EventBuilder event = new EventBuilder(realm, session).event(type)
                .detail(ACTION, action)
                .detail("identity_provider", row.getProviderAlias())
                .detail("connection_id", row.getId())
                .detail("owner_kind", row.getOwnerKind());
        if ("USER".equals(row.getOwnerKind())) {
            event.user(row.getOwnerId());
        } else if (!"REALM".equals(row.getOwnerKind())) {
            // the realm's own row names no owner beyond its owner_kind; an organization's names the organization
            event.detail("organization_id", row.getOwnerId());
        }
        return event;
    }
}
