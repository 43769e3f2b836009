package dev.conduit.api.server;

import java.util.Map;
import java.util.Set;

/**
 * What a server connection keeps: {@code shown} to admins (consumer key, integration user, certificate, client
 * e-mail, delegated scopes) and {@code sealed} in the vault (private key, secret, static token), never in an answer
 * or a log. {@code scopes} are the provider scopes the connection holds, which the exchange checks permissions against.
 */
public record ServerCredential(String kind, Map<String, String> shown, Map<String, String> sealed, Set<String> scopes) {

    public ServerCredential {
        shown = Map.copyOf(shown);
        sealed = Map.copyOf(sealed);
        scopes = Set.copyOf(scopes);
    }

    public String shown(String name) {
        return shown.get(name);
    }

    public String sealed(String name) {
        return sealed.get(name);
    }

    /** The RSA private key sealed under {@code name}, which {@link RsaKeys} wrote when the connection was made. */
    public java.security.PrivateKey sealedPrivateKey(String name) {
        try {
            return RsaKeys.parsePrivateKey(sealed.get(name)).getPrivate();
        } catch (KeyMaterialException e) {
            throw new IllegalStateException("the sealed private key of a " + kind + " connection does not read back", e);
        }
    }

    /** Names only for what is sealed. */
    @Override
    public String toString() {
        return "ServerCredential[" + kind + ", shown=" + shown + ", sealed=" + sealed.keySet() + ", scopes=" + scopes + "]";
    }
}
