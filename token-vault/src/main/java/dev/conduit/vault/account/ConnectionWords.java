package dev.conduit.vault.account;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * A connection's state in people's words: what happened and what to do, from its status, the error code at the start
 * of its {@code lastError}, the provider and when the status last changed. Dates are English and UTC ("on Dec 1",
 * "since 10:42 UTC"); pages add relative times themselves. The admin API keeps the raw codes.
 */
public final class ConnectionWords {

    /** The person must connect the account again (the page offers Reconnect). */
    public static final String RECONNECT = "reconnect";
    /** Nothing for the person to do: it works, or Conduit keeps trying on its own. */
    public static final String NONE = "none";
    /** Conduit's own settings for the provider are refused: an administrator must fix them. */
    public static final String ASK_ADMIN = "ask_admin";

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("MMM d", Locale.ENGLISH);
    private static final DateTimeFormatter DAY_OF_YEAR = DateTimeFormatter.ofPattern("MMM d, yyyy", Locale.ENGLISH);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm", Locale.ENGLISH);

    /** The sentence and the action a page offers for it. */
    public record Words(String summary, String action) {
    }

    private ConnectionWords() {
    }

    /** The provider's name for people: its display name in the realm, else the product's name, else the alias. */
    public static String providerName(String productName, String displayName, String alias) {
        if (displayName != null && !displayName.isBlank()) {
            return displayName.trim();
        }
        return productName == null || productName.isBlank() ? alias : productName;
    }

    /**
     * @param status the stored status ({@code HEALTHY}, {@code EXPIRING}, {@code RECONNECT_REQUIRED}, {@code REVOKED})
     * @param lastError the stored {@code lastError}, or null
     * @param refusedGrantCause why the provider refuses a refresh token, as its broker words it; empty or null if unknown
     * @param providerName what {@link #providerName} gives
     * @param statusSince when the status last changed (epoch seconds), null when unknown
     * @param now epoch seconds, to leave out the year or the day when they are today's
     */
    public static Words describe(String status, String lastError, String refusedGrantCause, String providerName,
            Long statusSince, long now) {
        String code = code(lastError);
        return switch (status == null ? "" : status) {
            case "HEALTHY" -> new Words("Connected: apps you allow reach " + providerName + " through it.", NONE);
            case "EXPIRING" -> expiring(code, providerName, statusSince, now);
            case "RECONNECT_REQUIRED" -> new Words(reconnect(code, refusedGrantCause, providerName, statusSince, now), RECONNECT);
            case "REVOKED" -> new Words("Disconnected" + on(statusSince, now) + "; Conduit is withdrawing its access at "
                    + providerName + ". Reconnect to use it again.", RECONNECT);
            default -> new Words("Conduit cannot use this connection right now.", NONE);
        };
    }

    private static Words expiring(String code, String providerName, Long statusSince, long now) {
        String since = statusSince == null ? " lately" : " since " + time(statusSince, now);
        if ("invalid_client".equals(code) || "unauthorized_client".equals(code) || "unsupported_grant_type".equals(code)) {
            return new Words("Conduit could not refresh this connection" + since + ": " + providerName
                    + " refuses Conduit's own settings. It keeps trying; an administrator must fix Conduit's "
                    + providerName + " settings. Nothing to do for you.", ASK_ADMIN);
        }
        return new Words("Conduit could not refresh this connection" + since + "; it keeps trying. Nothing to do yet.", NONE);
    }

    private static String reconnect(String code, String refusedGrantCause, String providerName, Long statusSince, long now) {
        return switch (code) {
            case "no_refresh_token" -> providerName + " gave Conduit no lasting access when this account was connected,"
                    + " so the connection stopped" + on(statusSince, now)
                    + ". Reconnect and allow access while you are away to continue.";
            case "refused_by_provider" -> providerName + " kept refusing this connection's access"
                    + (statusSince == null ? "" : " since " + day(statusSince, now)) + ", even with fresh tokens."
                    + " Reconnect to continue.";
            default -> providerName + " stopped accepting this connection" + on(statusSince, now)
                    + ("invalid_grant".equals(code) ? cause(refusedGrantCause) : "") + ". Reconnect to continue.";
        };
    }

    private static String cause(String refusedGrantCause) {
        return refusedGrantCause == null || refusedGrantCause.isBlank() ? "" : " (" + refusedGrantCause + ")";
    }

    /** The error code a stored {@code lastError} starts with ({@code invalid_grant (HTTP 400): ...}), or "". */
    static String code(String lastError) {
        if (lastError == null) {
            return "";
        }
        int end = 0;
        while (end < lastError.length() && isCodeChar(lastError.charAt(end))) {
            end++;
        }
        return lastError.substring(0, end);
    }

    private static boolean isCodeChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    }

    private static String on(Long at, long now) {
        return at == null ? "" : " on " + day(at, now);
    }

    private static String day(long at, long now) {
        ZonedDateTime when = utc(at);
        return (when.getYear() == utc(now).getYear() ? DAY : DAY_OF_YEAR).format(when);
    }

    private static String time(long at, long now) {
        ZonedDateTime when = utc(at);
        String clock = TIME.format(when) + " UTC";
        return when.toLocalDate().equals(utc(now).toLocalDate()) ? clock : day(at, now) + ", " + clock;
    }

    private static ZonedDateTime utc(long epochSeconds) {
        return Instant.ofEpochSecond(epochSeconds).atZone(ZoneOffset.UTC);
    }
}
