package dev.conduit.api.grant;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.Collectors;

/** Parsing and printing of space- or comma-separated OAuth scope lists. */
public final class Scopes {

    private Scopes() {
    }

    public static Set<String> parse(String value) {
        if (value == null || value.isBlank()) {
            return Set.of();
        }
        return Arrays.stream(value.trim().split("[\\s,]+"))
                .filter(s -> !s.isEmpty())
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    public static String join(Set<String> scopes) {
        return String.join(" ", scopes);
    }
}
