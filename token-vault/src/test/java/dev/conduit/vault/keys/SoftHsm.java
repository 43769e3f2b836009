package dev.conduit.vault.keys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.crypto.KeyGenerator;

/**
 * A real SoftHSM2 for the pkcs11 tests: Debian's {@code softhsm2} (installed with apt-get when missing and running as
 * root, else a one-line failure saying what to install), its tokens in a directory of the build
 * ({@code SOFTHSM2_CONF}, which the token-vault pom sets for Surefire). Each token gets generated PINs; KEKs are
 * generated inside the token, as an operator makes them.
 *
 * <p>All tokens are made before the first test loads the library: SoftHSM2 reads its slots once per process, so a
 * token initialised later is not seen ({@code CKR_SLOT_ID_INVALID}). Each test takes its own token by label.
 */
public final class SoftHsm {

    public static final Path LIBRARY = Path.of("/usr/lib/softhsm/libsofthsm2.so");
    private static final Path UTIL = Path.of("/usr/bin/softhsm2-util");
    private static final Pattern SLOT = Pattern.compile("reassigned to slot (\\d+)");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static SoftHsm instance;

    /** A token: its label, the slot SoftHSM2 gave it, its user PIN and its directory. */
    public record Token(String label, long slot, char[] pin, Path directory) {
    }

    /** The tokens the tests use, one per purpose (see the class comment). */
    static final List<String> TOKENS = List.of("conduit-kek", "mallory", "going-away", "wrong-pin", "factory");

    private final Path tokens;
    private final java.util.Map<String, Token> byLabel = new java.util.HashMap<>();

    private SoftHsm(Path tokens) {
        this.tokens = tokens;
    }

    /** One of {@link #TOKENS}, initialised, without keys until a test generates them. */
    public Token token(String label) {
        Token token = byLabel.get(label);
        if (token == null) {
            throw new IllegalArgumentException("no test token '" + label + "': add it to SoftHsm.TOKENS");
        }
        return token;
    }

    public static synchronized SoftHsm instance() {
        if (instance == null) {
            ensureInstalled();
            String conf = System.getenv("SOFTHSM2_CONF");
            if (conf == null) {
                throw new IllegalStateException("The pkcs11 tests need SOFTHSM2_CONF set to a writable file path (the "
                        + "token-vault pom sets it for Surefire: run them through Maven)");
            }
            Path confFile = Path.of(conf);
            Path tokens = confFile.resolveSibling("tokens");
            try {
                deleteRecursively(tokens);
                Files.createDirectories(tokens);
                Files.writeString(confFile, "directories.tokendir = " + tokens + "\nobjectstore.backend = file\n"
                        + "log.level = ERROR\nslots.removable = false\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            instance = new SoftHsm(tokens);
            TOKENS.forEach(label -> instance.byLabel.put(label, instance.newToken(label)));
        }
        return instance;
    }

    /** Initialises a new token labelled {@code label} with generated SO and user PINs. */
    private Token newToken(String label) {
        Set<Path> before = directories();
        String pin = HexFormat.of().formatHex(randomBytes(8));
        String output = util("--init-token", "--free", "--label", label, "--so-pin", HexFormat.of().formatHex(randomBytes(8)),
                "--pin", pin);
        Matcher slot = SLOT.matcher(output);
        if (!slot.find()) {
            throw new IllegalStateException("softhsm2-util --init-token did not name the new slot");
        }
        Set<Path> created = directories();
        created.removeAll(before);
        if (created.size() != 1) {
            throw new IllegalStateException("softhsm2-util --init-token made " + created.size() + " token directories");
        }
        return new Token(label, Long.parseLong(slot.group(1)), pin.toCharArray(), created.iterator().next());
    }

    /**
     * Generates an AES-256 key inside the token, labelled {@code keyLabel}: sensitive and non-extractable as a KEK
     * must be, or (for the attack tests) extractable.
     */
    public void generateAesKey(Token token, String keyLabel, boolean extractable) {
        String config = "--name = KeyMaker\nlibrary = \"" + LIBRARY + "\"\nslot = " + token.slot() + "\n"
                + "attributes(generate, CKO_SECRET_KEY, CKK_AES) = {\n  CKA_SENSITIVE = " + !extractable
                + "\n  CKA_EXTRACTABLE = " + extractable + "\n}\n";
        Provider provider = Security.getProvider("SunPKCS11").configure(config);
        try {
            KeyStore store = KeyStore.getInstance("PKCS11", provider);
            store.load(null, token.pin());
            KeyGenerator generator = KeyGenerator.getInstance("AES", provider);
            generator.init(256);
            store.setEntry(keyLabel, new KeyStore.SecretKeyEntry(generator.generateKey()), null);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot generate an AES key in token " + token.label(), e);
        }
    }

    /** Deletes the token, as an operator (or a failing HSM) takes it away from a running server. */
    void deleteToken(Token token) {
        util("--delete-token", "--token", token.label());
    }

    /**
     * Logs this process out of the token, as an HSM restart drops every session's login: PKCS#11 logins belong to
     * the application, so every provider of this JVM on the token is logged out.
     */
    void logout(Token token) throws javax.security.auth.login.LoginException {
        Provider provider = Security.getProvider("SunPKCS11")
                .configure("--name = Logout\nlibrary = \"" + LIBRARY + "\"\nslot = " + token.slot() + "\n");
        ((java.security.AuthProvider) provider).logout();
    }

    /** Copies the token's files to {@code backup}, to bring the same token back with {@link #restore}. */
    void backup(Token token, Path backup) {
        copyTree(token.directory(), backup);
    }

    void restore(Token token, Path backup) {
        copyTree(backup, token.directory());
    }

    private Set<Path> directories() {
        try (Stream<Path> list = Files.list(tokens)) {
            return list.filter(Files::isDirectory).collect(Collectors.toSet());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static synchronized void ensureInstalled() {
        if (Files.isReadable(LIBRARY) && Files.isExecutable(UTIL)) {
            return;
        }
        if ("root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/apt-get"))) {
            System.out.println("[conduit] pkcs11 tests: installing Debian's softhsm2 (apt-get)");
            apt("update", "-qq");
            apt("install", "-y", "-qq", "softhsm2");
        }
        if (!Files.isReadable(LIBRARY) || !Files.isExecutable(UTIL)) {
            throw new IllegalStateException("The pkcs11 tests need SoftHSM2 (" + LIBRARY + " and " + UTIL
                    + "): run 'apt-get install softhsm2' as root");
        }
    }

    private static String util(String... arguments) {
        List<String> command = new ArrayList<>(List.of(UTIL.toString()));
        command.addAll(List.of(arguments));
        return run(command, 60);
    }

    private static void apt(String... arguments) {
        List<String> command = new ArrayList<>(List.of("/usr/bin/apt-get"));
        command.addAll(List.of(arguments));
        run(command, 600);
    }

    /** Runs the command with this JVM's environment (so SOFTHSM2_CONF), returns its output; fails on a non-zero exit. */
    private static String run(List<String> command, int timeoutSeconds) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
        try {
            Process process = builder.start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(command.get(0) + " " + command.get(1) + " took more than " + timeoutSeconds + " s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(command.get(0) + " " + command.get(1) + " failed (exit " + process.exitValue()
                        + "): " + new String(output, StandardCharsets.UTF_8).strip());
            }
            return new String(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command.get(0), e);
        }
    }

    private static void copyTree(Path from, Path to) {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}
