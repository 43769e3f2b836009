package dev.conduit.broker.support;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TransactionBindingTest {

    @Test
    void callbackToTheProviderTheTransactionStartedWithProceeds() {
        assertThat(TransactionBinding.refusal("salesforce", "salesforce", null, null)).isNull();
    }

    @Test
    void callbackToAnotherProviderIsRefused() {
        assertThat(TransactionBinding.refusal("salesforce", "hubspot", null, null))
                .contains("'salesforce'").contains("'hubspot'");
    }

    @Test
    void transactionNotStartedByAConduitBrokerIsRefused() {
        assertThat(TransactionBinding.refusal(null, "google", null, null)).isNotNull();
    }

    @Test
    void issParameterMustBeTheConfiguredIssuerWhenSent() {
        assertThat(TransactionBinding.refusal("google", "google", "https://accounts.google.com", "https://accounts.google.com")).isNull();
        assertThat(TransactionBinding.refusal("google", "google", null, "https://accounts.google.com")).isNull();
        assertThat(TransactionBinding.refusal("google", "google", "https://evil.example", "https://accounts.google.com"))
                .contains("https://evil.example");
    }

    @Test
    void aForgedIssParameterReachesTheRefusalOnlyEscapedAndBounded() {
        String refusal = TransactionBinding.refusal("google", "google",
                "https://evil.example\r\n2026-12-01 INFO forged line" + "x".repeat(10_000), "https://accounts.google.com");
        assertThat(refusal).doesNotContain("\r").doesNotContain("\n").contains("\\r\\n2026-12-01 INFO forged line")
                .contains("more chars)");
        assertThat(refusal.length()).isLessThan(400);
    }
}
