package dev.conduit.sandbox;

/** The kinds of provider endpoint, for call counting and fault injection. */
public enum Endpoint {
    AUTHORIZE,
    TOKEN,
    IDENTITY,
    REVOKE,
    INTROSPECT,
    JWKS,
    /** The REST API slice: Salesforce's SOQL query, HubSpot's contacts, Google Calendar's events. */
    API,
    OTHER
}
