package dev.conduit.vault.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

/**
 * The backfill's paging over a fake table of rows without a fingerprint: bounded per call and per page, resumes where
 * the last call stopped, skips rows it cannot open for the rest of a pass, and stops querying once a pass from the
 * start finds nothing.
 */
class FingerprintBackfillTest {

    /** Ids without a fingerprint, by id; {@code unopenable} ones stay so when filled (sealed under a key not configured). */
    private static final class FakePages implements FingerprintBackfill.Pages {
        final TreeSet<String> missing = new TreeSet<>();
        final Set<String> unopenable;
        final List<Integer> pageSizes = new ArrayList<>();
        int queries;

        FakePages(int rows, Set<String> unopenable) {
            IntStream.rangeClosed(1, rows).forEach(i -> missing.add(id(i)));
            this.unopenable = unopenable;
        }

        @Override
        public List<String> unfingerprinted(String after, int max) {
            queries++;
            return (after == null ? missing : missing.tailSet(after, false)).stream().limit(max).toList();
        }

        @Override
        public int fill(List<String> ids) {
            pageSizes.add(ids.size());
            int filled = 0;
            for (String id : ids) {
                if (!unopenable.contains(id) && missing.remove(id)) {
                    filled++;
                }
            }
            return filled;
        }
    }

    private static String id(int i) {
        return String.format("row-%05d", i);
    }

    @Test
    void fillsAtMostMaxRowsPerCallInPagesOfAtMostThePageSize() {
        FakePages pages = new FakePages(450, Set.of());
        FingerprintBackfill backfill = new FingerprintBackfill(pages);

        assertThat(backfill.fill(300)).isEqualTo(300);
        assertThat(pages.pageSizes).containsExactly(FingerprintBackfill.PAGE, 100);
        assertThat(pages.missing).hasSize(150).first().isEqualTo(id(301));

        assertThat(backfill.fill(300)).isEqualTo(150);
        assertThat(pages.missing).isEmpty();
    }

    @Test
    void aRowThatCannotBeOpenedIsSkippedForTheRestOfThePassAndTriedAgainInTheNext() {
        FakePages pages = new FakePages(5, Set.of(id(2)));
        FingerprintBackfill backfill = new FingerprintBackfill(pages);

        assertThat(backfill.fill(3)).isEqualTo(2);   // rows 1..3: row 2 cannot be opened
        assertThat(backfill.fill(3)).isEqualTo(2);   // resumes after row 3, not at row 2
        assertThat(pages.missing).containsExactly(id(2));
        List<Integer> before = List.copyOf(pages.pageSizes);

        assertThat(backfill.fill(3)).isZero();       // end of the pass: the next call starts from the start again
        assertThat(backfill.fill(3)).isZero();
        assertThat(pages.pageSizes).hasSizeGreaterThan(before.size());
        assertThat(pages.pageSizes.get(pages.pageSizes.size() - 1)).isEqualTo(1); // row 2 looked at again
    }

    @Test
    void oncePassFromTheStartFindsNothingItStopsQuerying() {
        FakePages pages = new FakePages(3, Set.of());
        FingerprintBackfill backfill = new FingerprintBackfill(pages);

        assertThat(backfill.fill(200)).isEqualTo(3);
        assertThat(backfill.fill(200)).isZero();     // a pass from the start that found none: finished
        int queries = pages.queries;
        pages.missing.add(id(99));                   // every seal writes the fingerprint: no new row lacks one

        assertThat(backfill.fill(200)).isZero();
        assertThat(pages.queries).isEqualTo(queries);
    }
}
