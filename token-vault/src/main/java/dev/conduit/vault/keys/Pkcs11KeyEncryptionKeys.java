package dev.conduit.vault.keys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.Provider;
import java.security.ProviderException;
import java.security.SecureRandom;
import java.security.Security;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.crypto.AEADBadTagException;
import javax.security.auth.login.LoginException;

import org.jboss.logging.Logger;

/**
 * The {@code pkcs11} key provider: each KEK is a non-extractable AES-256 key inside an HSM, found by its label
 * ({@code CKA_LABEL}); wrap and unwrap are AES-GCM run by the HSM through the JDK's SunPKCS11 provider, so the KEK
 * never enters this JVM. Tested against SoftHSM2.
 *
 * <p>At start, a library, slot, PIN or key that is missing or wrong refuses the start with a message naming the
 * library and slot (never the PIN), and so does a KEK that the HSM would let out (extractable or not sensitive).
 * After start, an HSM that stops answering turns into {@link KeyUnavailableException}; the next call after
 * {@link #RECONNECT_PAUSE} logs in and finds the keys again, so service resumes when the HSM is back. A wrapped key
 * is refused ({@link WrappedKeyRefusedException}) only when the HSM, asked at once to seal and open a probe with the
 * same KEK, still works: SunPKCS11 reports SoftHSM2's failed tag check as a general error, which a failing device
 * could also give.
 */
public final class Pkcs11KeyEncryptionKeys implements KeyEncryptionKeys {

    public static final String PROVIDER_ID = "pkcs11";
    static final Duration RECONNECT_PAUSE = Duration.ofSeconds(2);
    private static final Logger LOG = Logger.getLogger(Pkcs11KeyEncryptionKeys.class);
    private static final byte[] PROBE_AAD = "conduit-kek-probe".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /**
     * Where the KEKs are: the PKCS#11 library, the slot (its id, or else its index in the library's slot list), the
     * user PIN and the key labels; {@code activeLabel} wraps and is one of {@code labels}.
     */
    public record Settings(Path library, Long slot, Integer slotListIndex, char[] pin, List<String> labels, String activeLabel) {

        /** The library and slot, as messages name them (never the PIN). */
        String where() {
            return "PKCS#11 library " + library + (slot != null ? " slot " + slot : " slot list index " + slotListIndex);
        }

        @Override
        public String toString() {
            return "Settings[" + where() + ", labels=" + labels + ", active=" + activeLabel + "]";
        }
    }

    private final Settings settings;
    private final String activeLabel;
    private final Provider provider;
    private final Clock clock;
    /** The KEK handles by label; null after a failure until a reconnect finds them again. */
    private volatile Map<String, Key> keks;
    private Instant lastReconnect = Instant.MIN;

    private Pkcs11KeyEncryptionKeys(Settings settings, String activeLabel, Provider provider, Map<String, Key> keks, Clock clock) {
        this.settings = settings;
        this.activeLabel = activeLabel;
        this.provider = provider;
        this.keks = keks;
        this.clock = clock;
    }

    /**
     * Loads the library, logs in to the slot and finds every KEK.
     *
     * @throws IllegalStateException naming library, slot and label (never the PIN) when any of them is wrong: the
     *         server refuses to start
     */
    public static Pkcs11KeyEncryptionKeys start(Settings settings) {
        return start(settings, Clock.systemUTC());
    }

    static Pkcs11KeyEncryptionKeys start(Settings settings, Clock clock) {
        if (settings.library() == null) {
            throw new IllegalStateException("pkcs11 key provider: option 'library' (the PKCS#11 module, e.g. "
                    + "/usr/lib/softhsm/libsofthsm2.so) is required");
        }
        if ((settings.slot() == null) == (settings.slotListIndex() == null)) {
            throw new IllegalStateException("pkcs11 key provider: set exactly one of 'slot' and 'slot-list-index' for "
                    + "PKCS#11 library " + settings.library());
        }
        if (settings.labels().isEmpty()) {
            throw new IllegalStateException(settings.where() + ": no key labels configured (option 'key-labels')");
        }
        settings.labels().forEach(label -> KekIds.check(PROVIDER_ID, label));
        if (settings.pin() == null || settings.pin().length == 0) {
            throw new IllegalStateException(settings.where() + ": option 'pin' (the user PIN) is required");
        }
        String active = settings.activeLabel() == null || settings.activeLabel().isBlank()
                ? settings.labels().get(0) : settings.activeLabel().trim();
        if (!settings.labels().contains(active)) {
            throw new IllegalStateException(settings.where() + ": active label '" + active + "' is not among the key labels "
                    + settings.labels());
        }
        if (!Files.isReadable(settings.library())) {
            throw new IllegalStateException("PKCS#11 library " + settings.library() + " does not exist or cannot be read");
        }
        Provider provider = configure(settings);
        Map<String, Key> keks;
        try {
            keks = findKeys(provider, settings);
        } catch (KeyUnavailableException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        for (Map.Entry<String, Key> kek : keks.entrySet()) {
            if (kek.getValue().getEncoded() != null) {
                throw new IllegalStateException(settings.where() + ": key '" + kek.getKey() + "' can leave the HSM "
                        + "(extractable or not sensitive); make the KEK with CKA_SENSITIVE=true and CKA_EXTRACTABLE=false");
            }
        }
        Pkcs11KeyEncryptionKeys started = new Pkcs11KeyEncryptionKeys(settings, active, provider, keks, clock);
        try {
            started.probe(keks.get(active));
        } catch (KeyUnavailableException e) {
            throw new IllegalStateException(settings.where() + ": key '" + active + "' cannot run AES-GCM in the HSM: "
                    + e.getMessage(), e);
        }
        return started;
    }

    private static Provider configure(Settings settings) {
        String library = settings.library().toString();
        if (library.contains("\"") || library.contains("\n")) {
            throw new IllegalStateException("PKCS#11 library path must not contain quotes or line breaks");
        }
        String config = "--name = Conduit\nlibrary = \"" + library + "\"\n"
                + (settings.slot() != null ? "slot = " + settings.slot() : "slotListIndex = " + settings.slotListIndex()) + "\n";
        Provider base = Security.getProvider("SunPKCS11");
        if (base == null) {
            throw new IllegalStateException("the JDK's SunPKCS11 provider is not available (module jdk.crypto.cryptoki)");
        }
        try {
            return base.configure(config);
        } catch (ProviderException | IllegalArgumentException e) {
            throw new IllegalStateException(settings.where() + " cannot be used: " + rootMessage(e), e);
        }
    }

    /**
     * Logs in and finds each label's key.
     *
     * @throws KeyUnavailableException when the slot refuses the login or a key is missing
     */
    private static Map<String, Key> findKeys(Provider provider, Settings settings) {
        KeyStore token;
        try {
            token = KeyStore.getInstance("PKCS11", provider);
            token.load(null, settings.pin());
        } catch (IOException e) {
            String why = e.getCause() instanceof LoginException || String.valueOf(rootMessage(e)).contains("PIN")
                    ? "the token refused the PIN (option 'pin')" : "the token cannot be opened: " + rootMessage(e);
            throw new KeyUnavailableException(settings.where() + ": " + why, e);
        } catch (GeneralSecurityException | ProviderException e) {
            throw new KeyUnavailableException(settings.where() + ": the token cannot be opened: " + rootMessage(e), e);
        }
        Map<String, Key> keks = new LinkedHashMap<>();
        for (String label : settings.labels()) {
            Key key;
            try {
                key = token.getKey(label, null);
            } catch (GeneralSecurityException | ProviderException e) {
                throw new KeyUnavailableException(settings.where() + ": key '" + label + "' cannot be read: " + rootMessage(e), e);
            }
            if (key == null) {
                throw new KeyUnavailableException(settings.where() + " has no key labelled '" + label + "'");
            }
            if (!"AES".equalsIgnoreCase(key.getAlgorithm())) {
                throw new KeyUnavailableException(settings.where() + ": key '" + label + "' is " + key.getAlgorithm() + ", not AES");
            }
            keks.put(label, key);
        }
        return keks;
    }

    @Override
    public String providerId() {
        return PROVIDER_ID;
    }

    @Override
    public String activeKekId() {
        return activeLabel;
    }

    @Override
    public List<String> kekIds() {
        return List.copyOf(settings.labels());
    }

    @Override
    public WrappedKey wrap(byte[] dataKey, byte[] aad) {
        Key kek = keks().get(activeLabel);
        try {
            return new WrappedKey(activeLabel, AesGcmWrap.wrap(kek, provider, activeLabel, dataKey, aad));
        } catch (GeneralSecurityException | ProviderException e) {
            throw unavailable("cannot wrap with key '" + activeLabel + "'", e);
        }
    }

    @Override
    public byte[] unwrap(WrappedKey wrapped, byte[] aad) {
        if (!settings.labels().contains(wrapped.kekId())) {
            throw new WrappedKeyRefusedException("wrapped under KEK '" + wrapped.kekId() + "', which is not among the "
                    + "pkcs11 key labels " + settings.labels());
        }
        Key kek = keks().get(wrapped.kekId());
        try {
            return AesGcmWrap.unwrap(kek, provider, wrapped.kekId(), wrapped.bytes(), aad);
        } catch (AEADBadTagException e) {
            probe(kek);
            throw new WrappedKeyRefusedException("wrapped key does not open under KEK '" + wrapped.kekId()
                    + "': altered, or wrapped for another owner");
        } catch (GeneralSecurityException | ProviderException e) {
            throw unavailable("cannot unwrap with key '" + wrapped.kekId() + "'", e);
        }
    }

    /**
     * Seals and opens random bytes with {@code kek}.
     *
     * @throws KeyUnavailableException when the HSM does not do both
     */
    private void probe(Key kek) {
        byte[] sample = new byte[32];
        new SecureRandom().nextBytes(sample);
        try {
            byte[] wrapped = AesGcmWrap.wrap(kek, provider, "probe", sample, PROBE_AAD);
            if (!Arrays.equals(sample, AesGcmWrap.unwrap(kek, provider, "probe", wrapped, PROBE_AAD))) {
                throw new KeyUnavailableException(settings.where() + ": the HSM's AES-GCM does not round-trip");
            }
        } catch (GeneralSecurityException | ProviderException e) {
            throw unavailable("does not answer a probe", e);
        }
    }

    /** The KEK handles, finding them again after a failure (at most once per {@link #RECONNECT_PAUSE}). */
    private Map<String, Key> keks() {
        Map<String, Key> current = keks;
        if (current != null) {
            return current;
        }
        synchronized (this) {
            if (keks != null) {
                return keks;
            }
            Instant now = clock.instant();
            if (now.isBefore(lastReconnect.plus(RECONNECT_PAUSE))) {
                throw new KeyUnavailableException(settings.where() + " is unreachable; next attempt within "
                        + RECONNECT_PAUSE.toSeconds() + " s");
            }
            lastReconnect = now;
            keks = findKeys(provider, settings);
            LOG.infof("Conduit key provider pkcs11: %s answers again", settings.where());
            return keks;
        }
    }

    /** Drops the KEK handles; logs only the first failure of an outage, not every call during it. */
    private KeyUnavailableException unavailable(String what, Exception cause) {
        boolean first = keks != null;
        keks = null;
        if (first) {
            LOG.warnf("Conduit key provider pkcs11: %s %s: %s", settings.where(), what, rootMessage(cause));
        }
        return new KeyUnavailableException(settings.where() + " " + what + ": " + rootMessage(cause), cause);
    }

    /** The innermost cause's class and message: PKCS#11 return codes such as CKR_OBJECT_HANDLE_INVALID. */
    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : " " + root.getMessage());
    }

    @Override
    public String toString() {
        return "Pkcs11KeyEncryptionKeys[" + settings.where() + ", active=" + activeLabel + ", labels=" + settings.labels() + "]";
    }
}
