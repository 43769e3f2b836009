package dev.conduit.sandbox;

/** The kinds of provider endpoint, for call counting and fault injection. */
public enum Endpoint {
    AUTHORIZE,
    TOKEN,
    IDENTITY,
    REVOKE,
    INTROSPECT,
    JWKS,
    OTHER
}
