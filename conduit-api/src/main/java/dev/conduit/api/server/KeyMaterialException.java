package dev.conduit.api.server;

/**
 * Uploaded key material Conduit cannot use: the message says what is wrong in words an admin can act on
 * (a 400's {@code error_description}) and never contains any of the material itself.
 */
public final class KeyMaterialException extends Exception {

    private static final long serialVersionUID = 1L;

    public KeyMaterialException(String message) {
        super(message);
    }
}
