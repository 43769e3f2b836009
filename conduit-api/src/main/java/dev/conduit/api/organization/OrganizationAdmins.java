package dev.conduit.api.organization;

import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

import org.keycloak.models.GroupModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.OrganizationModel;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.organization.OrganizationProvider;

/**
 * Who may set an organization's connections: a member of that organization who is in that organization's own group
 * {@value #GROUP} (an organization group, Keycloak 26.7: Organizations → the organization → Groups), directly or
 * through one of its subgroups. Rights held for one organization say nothing about another, and no realm role
 * grants them.
 */
public final class OrganizationAdmins {

    /** The name of the top-level organization group whose members are the organization's Conduit admins. */
    public static final String GROUP = "conduit-admins";

    private OrganizationAdmins() {
    }

    /** The organization named by alias or id, or null (also when organizations are off in the realm). */
    public static OrganizationModel resolve(KeycloakSession session, RealmModel realm, String reference) {
        OrganizationProvider organizations = session.getProvider(OrganizationProvider.class);
        if (organizations == null || !realm.isOrganizationsEnabled() || reference == null || reference.isBlank()
                || reference.length() > 255) {
            return null;
        }
        OrganizationModel organization = organizations.getByAlias(reference.trim());
        return organization != null ? organization : organizations.getById(reference.trim());
    }

    /** Whether {@code user} is a Conduit admin of {@code organization} (membership and its {@value #GROUP} group). */
    public static boolean isAdmin(KeycloakSession session, OrganizationModel organization, UserModel user) {
        OrganizationProvider organizations = session.getProvider(OrganizationProvider.class);
        if (organizations == null || organization == null || user == null || !user.isEnabled()
                || !organizations.isMember(organization, user)) {
            return false;
        }
        String root = organizations.getOrganizationGroup(organization).getId();
        Set<String> adminGroups = organizations.searchGroupsByName(organization, GROUP, true, 0, 10)
                .filter(group -> Objects.equals(root, group.getParentId()))
                .map(GroupModel::getId)
                .collect(Collectors.toSet());
        if (adminGroups.isEmpty()) {
            return false;
        }
        return organizations.getOrganizationGroupsByMember(organization, user)
                .anyMatch(group -> withinAny(group, adminGroups));
    }

    private static boolean withinAny(GroupModel group, Set<String> adminGroups) {
        for (GroupModel at = group; at != null; at = at.getParent()) {
            if (adminGroups.contains(at.getId())) {
                return true;
            }
        }
        return false;
    }
}
