package dev.conduit.api.server;

/**
 * One field of a kind's input, as the admin API lists it ({@code GET server-kinds}).
 *
 * @param secret sealed in the vault and never shown again (a key, a secret, a token)
 * @param what one line for admins
 */
public record ServerField(String name, boolean required, boolean secret, String what) {

    public static ServerField required(String name, String what) {
        return new ServerField(name, true, false, what);
    }

    public static ServerField optional(String name, String what) {
        return new ServerField(name, false, false, what);
    }

    public static ServerField secret(String name, boolean required, String what) {
        return new ServerField(name, required, true, what);
    }
}
