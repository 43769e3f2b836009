package dev.conduit.vault.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.Map;

import dev.conduit.api.grant.UpstreamClient;
import dev.conduit.vault.crypto.KeyRing;
import dev.conduit.vault.crypto.TokenCipher;
import dev.conduit.vault.crypto.TokenDecryptionException;
import dev.conduit.vault.crypto.TokenOwner;
import dev.conduit.vault.store.PendingRevocationEntity;
import dev.conduit.vault.store.RevocationClientEntity;
import org.junit.jupiter.api.Test;

class PendingSealTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private final byte[] k1 = key();
    private final byte[] k2 = key();
    private final UpstreamClient salesforce = new UpstreamClient("conduit-salesforce", "salesforce", "https://sf/token",
            "client-1", "${vault.salesforce_secret}", false, UpstreamClient.Revocation.POST_FORM, "https://sf/revoke", 7200);

    private static byte[] key() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private TokenCipher cipher(String active) {
        return new TokenCipher(KeyRing.of(Map.of("k1", k1, "k2", k2), active));
    }

    @Test
    void aPendingRevocationOpensTheConnectionColumnsCopiedUnchanged() {
        TokenCipher cipher = cipher("k1");
        PendingRevocationEntity pending = pending("user-ada");
        pending.setRefreshToken(cipher.encrypt("5Aep861-refresh", TokenOwner.user("realm-1", "user-ada", "salesforce", "refresh")));
        pending.setAccessToken(cipher.encrypt("00D-access", TokenOwner.user("realm-1", "user-ada", "salesforce", "access")));

        assertThat(new PendingSeal(cipher).refreshToken(pending)).isEqualTo("5Aep861-refresh");
        assertThat(new PendingSeal(cipher).accessToken(pending)).isEqualTo("00D-access");
    }

    @Test
    void tokensCopiedUnderAnotherOwnerDoNotOpen() {
        TokenCipher cipher = cipher("k1");
        PendingRevocationEntity pending = pending("user-mallory");
        pending.setRefreshToken(cipher.encrypt("5Aep861-refresh", TokenOwner.user("realm-1", "user-ada", "salesforce", "refresh")));

        assertThatThrownBy(() -> new PendingSeal(cipher).refreshToken(pending)).isInstanceOf(TokenDecryptionException.class);
    }

    @Test
    void settingsRoundTripSealedAndNeverInClear() {
        PendingSeal seal = new PendingSeal(cipher("k1"));
        RevocationClientEntity client = client("client-row-1");
        seal.sealSettings(client, RevocationSettings.of(salesforce, "resolved-secret-s3cr3t").toJson());

        assertThat(client.getSettings()).startsWith("v1.k1.").doesNotContain("s3cr3t").doesNotContain("sf/revoke");
        RevocationSettings opened = RevocationSettings.fromJson(seal.settings(client));
        assertThat(opened.clientSecret()).isEqualTo("resolved-secret-s3cr3t");
        assertThat(opened.client().revocationUrl()).isEqualTo("https://sf/revoke");
        assertThat(opened.client().revocation()).isEqualTo(UpstreamClient.Revocation.POST_FORM);
        assertThat(opened.client().clientId()).isEqualTo("client-1");
        assertThat(opened.toString()).doesNotContain("s3cr3t");
    }

    @Test
    void settingsMovedToAnotherRowOrRealmDoNotOpen() {
        PendingSeal seal = new PendingSeal(cipher("k1"));
        RevocationClientEntity client = client("client-row-1");
        seal.sealSettings(client, RevocationSettings.of(salesforce, "resolved").toJson());
        RevocationClientEntity other = client("client-row-2");
        other.setSettings(client.getSettings());
        RevocationClientEntity otherRealm = client("client-row-1");
        otherRealm.setRealmId("realm-2");
        otherRealm.setSettings(client.getSettings());

        assertThatThrownBy(() -> seal.settings(other)).isInstanceOf(TokenDecryptionException.class);
        assertThatThrownBy(() -> seal.settings(otherRealm)).isInstanceOf(TokenDecryptionException.class);
    }

    @Test
    void resealingMovesBothToTheActiveKeyAndTheyStillOpen() {
        PendingRevocationEntity pending = pending("user-ada");
        pending.setRefreshToken(cipher("k1").encrypt("5Aep861-refresh", TokenOwner.user("realm-1", "user-ada", "salesforce", "refresh")));
        pending.setKeyId("k1");
        RevocationClientEntity client = client("client-row-1");
        new PendingSeal(cipher("k1")).sealSettings(client, RevocationSettings.of(salesforce, "resolved").toJson());
        PendingSeal rotated = new PendingSeal(cipher("k2"));

        assertThat(rotated.reseal(pending)).isTrue();
        assertThat(rotated.reseal(client)).isTrue();
        assertThat(rotated.reseal(pending)).as("already under k2").isFalse();

        PendingSeal k2Only = new PendingSeal(new TokenCipher(KeyRing.of(Map.of("k2", k2), "k2")));
        assertThat(pending.getRefreshToken()).startsWith("v1.k2.");
        assertThat(k2Only.refreshToken(pending)).isEqualTo("5Aep861-refresh");
        assertThat(RevocationSettings.fromJson(k2Only.settings(client)).clientSecret()).isEqualTo("resolved");
    }

    private static PendingRevocationEntity pending(String ownerId) {
        PendingRevocationEntity pending = new PendingRevocationEntity();
        pending.setId("pending-1");
        pending.setClientId("client-row-1");
        pending.setRealmId("realm-1");
        pending.setOwnerKind("USER");
        pending.setOwnerId(ownerId);
        pending.setProviderAlias("salesforce");
        return pending;
    }

    private static RevocationClientEntity client(String id) {
        RevocationClientEntity client = new RevocationClientEntity();
        client.setId(id);
        client.setRealmId("realm-1");
        client.setProviderAlias("salesforce");
        return client;
    }
}
