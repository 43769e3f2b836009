package dev.conduit.vault.refresh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

class RefreshPolicyTest {

    private final Instant now = Instant.parse("2026-11-23T10:00:00Z");

    @Test
    void onDemandRefreshStartsWithinTheMargin() {
        RefreshSchedule schedule = RefreshSchedule.defaults();
        assertThat(schedule.dueOnDemand(now.plusSeconds(61), now)).isFalse();
        assertThat(schedule.dueOnDemand(now.plusSeconds(60), now)).isTrue();
        assertThat(schedule.dueOnDemand(now.minusSeconds(5), now)).isTrue();
    }

    @Test
    void proactiveRefreshComesBeforeExpiryOrAsKeepAliveForIdleRefreshTokens() {
        RefreshSchedule schedule = RefreshSchedule.defaults();
        assertThat(schedule.nextProactiveRefresh(now.plus(Duration.ofHours(1)), now)).isEqualTo(now.plus(Duration.ofMinutes(55)));
        Instant farExpiry = now.plus(Duration.ofDays(30));
        assertThat(schedule.nextProactiveRefresh(farExpiry, now)).isEqualTo(now.plus(Duration.ofDays(7)));
    }

    @Test
    void backoffGrowsExponentiallyIsCappedJitteredAndHonoursRetryAfter() {
        Backoff top = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), () -> 1.0);
        assertThat(top.delay(0, null)).isEqualTo(Duration.ofMillis(500));
        assertThat(top.delay(3, null)).isEqualTo(Duration.ofMillis(4000));
        assertThat(top.delay(20, null)).isEqualTo(Duration.ofSeconds(30));
        assertThat(top.delay(62, null)).isEqualTo(Duration.ofSeconds(30));
        Backoff bottom = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), () -> 0.0);
        assertThat(bottom.delay(3, null)).isZero();
        assertThat(bottom.delay(3, Duration.ofSeconds(7))).isEqualTo(Duration.ofSeconds(7));
        assertThat(bottom.delay(3, Duration.ofHours(2))).as("Retry-After is capped too").isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void failuresAreClassifiedSoOnlyADeadRefreshTokenStopsRetrying() {
        assertThat(RefreshFailure.classify(0, null)).isEqualTo(RefreshFailure.TRANSIENT);
        assertThat(RefreshFailure.classify(503, "temporarily_unavailable")).isEqualTo(RefreshFailure.TRANSIENT);
        assertThat(RefreshFailure.classify(429, null)).isEqualTo(RefreshFailure.TRANSIENT);
        assertThat(RefreshFailure.classify(200, null)).as("malformed body").isEqualTo(RefreshFailure.TRANSIENT);
        assertThat(RefreshFailure.classify(400, "invalid_grant")).isEqualTo(RefreshFailure.RECONNECT_REQUIRED);
        assertThat(RefreshFailure.classify(401, "invalid_client")).isEqualTo(RefreshFailure.CONFIGURATION);
    }

    @Test
    void aResponseWithoutRefreshTokenKeepsTheOneUsedAndRotationReplacesIt() {
        RefreshedTokens kept = RefreshedTokens.from("a2", null, "r1", 3600L, Duration.ofHours(2), now);
        assertThat(kept.refreshToken()).isEqualTo("r1");
        assertThat(kept.rotated()).isFalse();
        assertThat(kept.expiresAt()).isEqualTo(now.plusSeconds(3600));

        RefreshedTokens rotated = RefreshedTokens.from("a2", "r2", "r1", 1800L, Duration.ofHours(2), now);
        assertThat(rotated.refreshToken()).isEqualTo("r2");
        assertThat(rotated.rotated()).isTrue();
        assertThat(rotated.toString()).doesNotContain("a2").doesNotContain("r2");
    }

    @Test
    void salesforceWithoutExpiresInUsesTheConfiguredLifetime() {
        assertThat(RefreshedTokens.from("a2", null, "r1", null, Duration.ofHours(2), now).expiresAt())
                .isEqualTo(now.plus(Duration.ofHours(2)));
        assertThatThrownBy(() -> RefreshedTokens.from("", null, "r1", 60L, Duration.ofHours(2), now))
                .hasMessageContaining("access_token");
    }
}
