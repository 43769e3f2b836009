package dev.conduit.api.permission;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Conduit permissions a connection's granted provider scopes cover, in people's words: the reverse of
 * {@link PermissionMapping}. A permission is held when the provider maps it to at least one scope and every one of
 * them was granted. Its label is the realm's client scope's consent-screen text when the realm gives one (not a
 * {@code ${message.key}}), else a built-in English label, else its name. Plain logic, no Keycloak types.
 */
public final class HeldPermissions {

    /** Keycloak's client-scope attribute for the text shown on its consent screen. */
    public static final String CONSENT_TEXT = "consent.screen.text";

    /** In the order pages list them. */
    private static final Map<String, String> BUILT_IN_LABELS = new LinkedHashMap<>();

    static {
        BUILT_IN_LABELS.put("crm.contacts.read", "Read contacts");
        BUILT_IN_LABELS.put("crm.contacts.write", "Change contacts");
        BUILT_IN_LABELS.put("crm.deals.read", "Read deals");
        BUILT_IN_LABELS.put("crm.deals.write", "Change deals");
        BUILT_IN_LABELS.put("crm.activity.read", "Read activity");
        BUILT_IN_LABELS.put("calendar.read", "Read calendar");
        BUILT_IN_LABELS.put("mail.send", "Send mail");
        BUILT_IN_LABELS.put("offline", "Keep access while you are away");
    }

    /** One permission a connection holds: its Conduit name and what it means to a person. */
    public record Permission(String name, String label) {
    }

    private HeldPermissions() {
    }

    /**
     * @param provider the connection's provider, as its broker words Conduit's permissions; null when unknown
     * @param granted the provider scopes the connection holds
     * @param clientScopes the realm's client scopes: attributes by name
     * @return the held permissions: the built-in ones first (contacts, deals, activity, calendar, mail, offline),
     *         then the realm's own by name
     */
    public static List<Permission> of(Vocabulary provider, Set<String> granted, Map<String, Map<String, String>> clientScopes) {
        List<Permission> held = new ArrayList<>();
        if (provider == null || provider.type() == null || granted == null || granted.isEmpty()) {
            return held;
        }
        Set<String> names = new LinkedHashSet<>(BUILT_IN_LABELS.keySet());
        PermissionMapping.seedPermissions().stream().sorted().forEach(names::add);
        clientScopes.keySet().stream().sorted().forEach(names::add);
        for (String name : names) {
            Map<String, String> attributes = clientScopes.get(name);
            if (!PermissionMapping.seedPermissions().contains(name)
                    && (attributes == null || !attributes.containsKey(PermissionMapping.ATTRIBUTE_PREFIX + provider.type()))) {
                continue; // a client scope that is no Conduit permission for this provider (profile, email, ...)
            }
            Set<String> needed = PermissionMapping.upstreamScopes(provider, name, attributes);
            if (!needed.isEmpty() && granted.containsAll(needed)) {
                held.add(new Permission(name, label(name, attributes)));
            }
        }
        return held;
    }

    static String label(String name, Map<String, String> attributes) {
        String text = attributes == null ? null : attributes.get(CONSENT_TEXT);
        if (text != null && !text.isBlank() && !text.contains("${")) {
            return text.trim();
        }
        return BUILT_IN_LABELS.getOrDefault(name, name);
    }
}
