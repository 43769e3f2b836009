package dev.conduit.sandbox;

import java.util.List;

/** An OAuth client registered at one sandbox provider (a connected app, a HubSpot app, a Google OAuth client). */
public record SandboxClient(Provider provider, String clientId, String clientSecret, List<String> redirectUris) {

    @Override
    public String toString() {
        return "SandboxClient[" + provider + ", " + clientId + ", redirectUris=" + redirectUris + "]";
    }
}
