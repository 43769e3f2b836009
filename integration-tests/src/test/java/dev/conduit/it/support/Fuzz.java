package dev.conduit.it.support;

import java.util.Random;

/** Hostile text for the seeded fuzz suites. */
public final class Fuzz {

    private Fuzz() {
    }

    /** Visible ASCII only: what an HTTP header can carry at all. */
    public static String printable(Random random, int length) {
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append((char) (0x21 + random.nextInt(0x5e)));
        }
        return out.toString();
    }

    /** Mostly visible ASCII, with control characters (NUL included) and characters beyond ASCII. */
    public static String garbage(Random random, int length) {
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            int kind = random.nextInt(10);
            out.append(kind < 6 ? (char) (0x21 + random.nextInt(0x5e)) : kind < 8 ? (char) random.nextInt(0x20)
                    : (char) (0x80 + random.nextInt(0x2000)));
        }
        return out.toString();
    }
}
