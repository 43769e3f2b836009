package dev.conduit.vault.upstream;

/** How a revocation ended: done (also when the provider no longer knows the token), or worth retrying. */
public record RevokeAnswer(boolean done, int status, String reason) {

    static RevokeAnswer of(int status) {
        if (status == 200 || status == 204) {
            return new RevokeAnswer(true, status, "revoked");
        }
        if (status == 400 || status == 404) {
            // Salesforce/Google 400 invalid_token or HubSpot 404: the provider holds no such token any more
            return new RevokeAnswer(true, status, "already invalid at the provider");
        }
        return new RevokeAnswer(false, status, "revocation answered HTTP " + status);
    }

    public static RevokeAnswer unreachable(String what) {
        return new RevokeAnswer(false, 0, what);
    }
}
