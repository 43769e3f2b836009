package dev.conduit.vault.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AdminQueryTest {

    @Test
    void onlyIdShapedValuesAreLookedUp() {
        assertThat(AdminQuery.plausibleId("3f2a9c1e-8b7d-4e5f-a6b1-0c9d8e7f6a5b")).isTrue();
        assertThat(AdminQuery.plausibleId("abc\0")).isFalse();
        assertThat(AdminQuery.plausibleId("../../users")).isFalse();
        assertThat(AdminQuery.plausibleId("x".repeat(65))).isFalse();
        assertThat(AdminQuery.plausibleId("")).isFalse();
        assertThat(AdminQuery.plausibleId(null)).isFalse();
    }

    @Test
    void filtersAreNormalisedOrRefusedByName() {
        assertThat(AdminQuery.ownerKind(" organization ")).isEqualTo("ORGANIZATION");
        assertThat(AdminQuery.ownerKind("realm")).as("the realm's own connections").isEqualTo("REALM");
        assertThat(AdminQuery.status("reconnect_required")).isEqualTo("RECONNECT_REQUIRED");
        assertThat(AdminQuery.ownerKind("")).isNull();
        assertThat(AdminQuery.text("provider", " hubspot ")).isEqualTo("hubspot");
        assertThatThrownBy(() -> AdminQuery.ownerKind("GROUP")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ownerKind");
        assertThatThrownBy(() -> AdminQuery.status("FINE")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("status");
        assertThatThrownBy(() -> AdminQuery.text("ownerId", "a\0b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ownerId");
        assertThatThrownBy(() -> AdminQuery.text("provider", "p".repeat(256))).isInstanceOf(IllegalArgumentException.class);
    }
}
