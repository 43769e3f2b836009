package dev.conduit.vault.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conduit.vault.crypto.TokenOwner;
import org.junit.jupiter.api.Test;

/** Which scope's data key seals an owner's rows. */
class StoredDataKeysTest {

    private final TokenOwner organization = TokenOwner.organization("realm-1", "org-acme", "salesforce", "refresh");

    @Test
    void anOrganizationsRowsAreUnderTheRealmsKeyByDefault() {
        assertThat(new StoredDataKeys(null, null, false, null).organizationOf(organization)).isNull();
    }

    @Test
    void anOrganizationsRowsAreUnderItsOwnKeyWhenConfigured() {
        assertThat(new StoredDataKeys(null, null, true, null).organizationOf(organization)).isEqualTo("org-acme");
    }

    @Test
    void usersAndRevokingRowsAreAlwaysUnderTheRealmsKey() {
        StoredDataKeys perOrganization = new StoredDataKeys(null, null, true, null);
        assertThat(perOrganization.organizationOf(TokenOwner.user("realm-1", "user-ada", "salesforce", "refresh"))).isNull();
        assertThat(perOrganization.organizationOf(new TokenOwner("realm-1", TokenOwner.Kind.REVOKING, "org-acme",
                "salesforce", "refresh"))).isNull();
        assertThat(perOrganization.organizationOf(new TokenOwner("realm-1", TokenOwner.Kind.REALM, "realm-1",
                "hubspot", "access"))).as("a realm's own connection").isNull();
    }
}
