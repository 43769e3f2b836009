package dev.conduit.broker.google;

import java.util.List;

/** The {@code hd} parameter is only a hint to Google; the id token's {@code hd} claim is what is enforced. */
public final class HostedDomainCheck {

    private HostedDomainCheck() {
    }

    public static boolean allows(List<String> allowedDomains, Object hdClaim) {
        if (allowedDomains.isEmpty()) {
            return true;
        }
        if (hdClaim == null) {
            return false;
        }
        if (allowedDomains.contains("*")) {
            return true;
        }
        return allowedDomains.contains(hdClaim.toString());
    }
}
