package dev.conduit.broker.google;

/**
 * When Google must be asked with {@code prompt=consent}: Google issues a refresh token only on a consent,
 * so when Conduit holds none for the account the authorization asks for consent again.
 */
public final class ConsentPrompt {

    private ConsentPrompt() {
    }

    /**
     * @param configuredPrompt the administrator's fixed prompt, if any (it wins)
     * @param offlineAccess whether refresh tokens are wanted at all
     * @param refreshTokenHeld whether Conduit already holds a refresh token for the account, null if unknown
     */
    public static String promptFor(String configuredPrompt, boolean offlineAccess, Boolean refreshTokenHeld) {
        if (configuredPrompt != null && !configuredPrompt.isBlank()) {
            return configuredPrompt;
        }
        if (offlineAccess && Boolean.FALSE.equals(refreshTokenHeld)) {
            return "consent";
        }
        return null;
    }

    /** After a token response: restart once with consent when it brought no refresh token and none is held. */
    public static boolean mustReconsent(boolean offlineAccess, boolean responseHasRefreshToken, boolean refreshTokenHeld,
            boolean consentAlreadyForced) {
        return offlineAccess && !responseHasRefreshToken && !refreshTokenHeld && !consentAlreadyForced;
    }
}
