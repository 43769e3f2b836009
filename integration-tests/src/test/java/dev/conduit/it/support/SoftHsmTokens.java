package dev.conduit.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SoftHSM2 tokens for a Keycloak under test, made as docs/operations.md ("Key providers") tells an operator:
 * {@code softhsm2-util --init-token}, then {@code keytool -genseckey} through SunPKCS11 for a non-extractable AES-256
 * key. Debian's {@code softhsm2} is installed with apt-get when missing and running as root; otherwise the test fails
 * saying what to install. The tokens live in a directory of their own ({@link #conf()}), the PINs are generated.
 */
public final class SoftHsmTokens {

    public static final Path LIBRARY = Path.of("/usr/lib/softhsm/libsofthsm2.so");
    private static final Path UTIL = Path.of("/usr/bin/softhsm2-util");
    private static final Pattern SLOT = Pattern.compile("reassigned to slot (\\d+)");

    /** A token with one key: its slot, its user PIN and the key's label. */
    public record Token(long slot, String pin, String keyLabel) {
    }

    private final Path dir;

    private SoftHsmTokens(Path dir) {
        this.dir = dir;
    }

    /** An empty token directory under {@code dir}, with its SoftHSM2 configuration. */
    public static SoftHsmTokens in(Path dir) {
        ensureInstalled();
        try {
            TestFiles.deleteTree(dir);
            Files.createDirectories(dir.resolve("tokens"));
            Files.writeString(dir.resolve("softhsm2.conf"), "directories.tokendir = " + dir.resolve("tokens")
                    + "\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new SoftHsmTokens(dir);
    }

    /** The value of {@code SOFTHSM2_CONF} for processes that use these tokens. */
    public Path conf() {
        return dir.resolve("softhsm2.conf");
    }

    /** A new token labelled {@code label} holding a non-extractable AES-256 key labelled {@code keyLabel}. */
    public Token tokenWithKey(String label, String keyLabel) {
        String pin = Secrets.generate().substring(0, 16);
        String output = run(List.of(UTIL.toString(), "--init-token", "--free", "--label", label,
                "--so-pin", Secrets.generate().substring(0, 16), "--pin", pin));
        Matcher slot = SLOT.matcher(output);
        if (!slot.find()) {
            throw new IllegalStateException("softhsm2-util --init-token did not name the new slot");
        }
        Path keygen = dir.resolve("pkcs11-keygen-" + label + ".cfg");
        try {
            Files.writeString(keygen, "name = KeyMaker\nlibrary = " + LIBRARY + "\nslot = " + slot.group(1) + "\n"
                    + "attributes(generate, CKO_SECRET_KEY, CKK_AES) = {\n  CKA_SENSITIVE = true\n  CKA_EXTRACTABLE = false\n}\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        run(List.of(keytool.toString(), "-genseckey", "-keyalg", "AES", "-keysize", "256", "-alias", keyLabel,
                "-keystore", "NONE", "-storetype", "PKCS11", "-providerClass", "sun.security.pkcs11.SunPKCS11",
                "-providerArg", keygen.toString(), "-storepass", pin));
        return new Token(Long.parseLong(slot.group(1)), pin, keyLabel);
    }

    /** Deletes the token labelled {@code label}: to a running key provider, the HSM is gone. */
    public void deleteToken(String label) {
        run(List.of(UTIL.toString(), "--delete-token", "--token", label));
    }

    /**
     * The HSM goes away and its token is kept aside: {@link #deleteToken} after a copy of the token files, which
     * {@link #plugBackIn()} puts back. SoftHSM2 does not find a token's objects again in a process that saw them go, so
     * only a process started after {@link #plugBackIn()} (a Keycloak restart) reaches the same token and key again.
     */
    public void unplug(String label) {
        try {
            TestFiles.deleteTree(unplugged());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        copyTree(dir.resolve("tokens"), unplugged());
        deleteToken(label);
    }

    /** The token {@link #unplug} kept aside is back, with the same slot, PIN and key. */
    public void plugBackIn() {
        copyTree(unplugged(), dir.resolve("tokens"));
    }

    private Path unplugged() {
        return dir.resolve("tokens-unplugged");
    }

    private static void copyTree(Path from, Path to) {
        try (var files = Files.walk(from)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                            java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static synchronized void ensureInstalled() {
        if (Files.isReadable(LIBRARY) && Files.isExecutable(UTIL)) {
            return;
        }
        if ("root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/apt-get"))) {
            System.out.println("[conduit] key provider tests: installing Debian's softhsm2 (apt-get)");
            runAsIs(List.of("/usr/bin/apt-get", "update", "-qq"));
            runAsIs(List.of("/usr/bin/apt-get", "install", "-y", "-qq", "softhsm2"));
        }
        if (!Files.isReadable(LIBRARY) || !Files.isExecutable(UTIL)) {
            throw new IllegalStateException("The key provider tests need SoftHSM2 (" + LIBRARY + " and " + UTIL
                    + "): run 'apt-get install softhsm2' as root");
        }
    }

    private String run(List<String> command) {
        return run(command, Map.of("SOFTHSM2_CONF", conf().toString()));
    }

    private static String run(List<String> command, Map<String, String> environment) {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
        builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
        builder.environment().putAll(environment);
        try {
            Process process = builder.start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(10, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException(command.get(0) + " took more than 10 minutes");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(Path.of(command.get(0)).getFileName() + " " + command.get(1) + " failed (exit "
                        + process.exitValue() + "): " + new String(output, StandardCharsets.UTF_8).strip());
            }
            return new String(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command.get(0), e);
        }
    }

    private static String runAsIs(List<String> command) {
        return run(command, Map.of());
    }
}
