package dev.conduit.vault.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;

import dev.conduit.api.vault.ConnectionKey;
import dev.conduit.vault.store.ConnectionEntity;
import org.junit.jupiter.api.Test;

class RowCachesTest {

    private final AtomicLong now = new AtomicLong(1_700_000_000_000L);
    private final RowCaches caches = new RowCaches(100, 60_000, now::get);
    private final ConnectionKey ada = ConnectionKey.user("realm-1", "user-ada", "hubspot");
    private final ConnectionKey acme = ConnectionKey.organization("realm-2", "org-acme", "salesforce");

    @Test
    void nothingIsKeptOrServedBeforeTheNodeHearsTheCluster() {
        assertThat(caches.keepRow(ada, caches.rowTicket(ada), row("sealed-1", 3600))).isFalse();
        caches.goLive();
        assertThat(caches.keepRow(ada, caches.rowTicket(ada), row("sealed-1", 3600))).isTrue();
        assertThat(caches.row(ada)).isPresent();
    }

    @Test
    void aHitIsACopyThatCannotChangeWhatIsCached() {
        caches.goLive();
        ConnectionEntity stored = row("sealed-1", 3600);
        caches.keepRow(ada, caches.rowTicket(ada), stored);
        stored.setAccessToken("changed-after-keep");
        ConnectionEntity hit = caches.row(ada).orElseThrow();
        hit.setAccessToken("changed-by-a-caller");
        assertThat(caches.row(ada).orElseThrow().getAccessToken()).isEqualTo("sealed-1");
        assertThat(hit).isNotSameAs(caches.row(ada).orElseThrow());
    }

    @Test
    void aRowLivesNoLongerThanItsToken() {
        caches.goLive();
        caches.keepRow(ada, caches.rowTicket(ada), row("sealed-1", 10));
        now.addAndGet(10_000);
        assertThat(caches.row(ada)).isEmpty();
    }

    @Test
    void aRowChangeDropsThatRowOnlyAndARealmChangeThatRealmsRowsAndEveryDataKey() {
        caches.goLive();
        caches.keepRow(ada, caches.rowTicket(ada), row("sealed-1", 3600));
        caches.keepRow(acme, caches.rowTicket(acme), row("sealed-2", 3600));
        caches.keepDataKey(caches.dataKeyTicket("dk-1"), new RowCaches.SealedKeyRow("dk-1", "realm-2", null, "w1"));

        caches.apply(Invalidation.row(ada));
        assertThat(caches.row(ada)).isEmpty();
        assertThat(caches.row(acme)).isPresent();

        caches.keepRow(ada, caches.rowTicket(ada), row("sealed-1", 3600));
        caches.apply(Invalidation.realm("realm-2"));
        assertThat(caches.row(acme)).isEmpty();
        assertThat(caches.dataKey("dk-1")).isEmpty();
        assertThat(caches.row(ada)).isPresent();

        caches.apply(Invalidation.all());
        assertThat(caches.row(ada)).isEmpty();
    }

    @Test
    void aDestroyedDataKeyReadBeforeItsDeletionIsNotKept() {
        caches.goLive();
        GenerationCache.Ticket reader = caches.dataKeyTicket("dk-1");
        caches.apply(Invalidation.dataKey("dk-1"));
        assertThat(caches.keepDataKey(reader, new RowCaches.SealedKeyRow("dk-1", "realm-1", "org-acme", "w1"))).isFalse();
        assertThat(caches.dataKey("dk-1")).isEmpty();
    }

    private ConnectionEntity row(String sealedAccessToken, long secondsLeft) {
        ConnectionEntity row = new ConnectionEntity();
        row.setId("c-" + sealedAccessToken);
        row.setAccessToken(sealedAccessToken);
        row.setExpiresAt(now.get() / 1000 + secondsLeft);
        row.setStatus("HEALTHY");
        return row;
    }
}
