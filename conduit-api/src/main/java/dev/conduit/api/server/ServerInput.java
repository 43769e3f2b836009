package dev.conduit.api.server;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** An admin's input for a server connection, read field by field with refusals that name the field. */
public final class ServerInput {

    private static final Pattern SCOPE = Pattern.compile("[\\x21\\x23-\\x5b\\x5d-\\x7e]+");
    private static final int MAX_SCOPES = 100;

    private final Map<String, String> fields;

    public ServerInput(Map<String, String> fields) {
        this.fields = fields == null ? Map.of() : fields;
    }

    /** The field trimmed, or null when absent or blank. */
    public String optional(String name, int maxChars, Pattern allowed) throws KeyMaterialException {
        String value = fields.get(name);
        if (value == null || value.isBlank()) {
            return null;
        }
        value = value.strip();
        if (value.length() > maxChars) {
            throw new KeyMaterialException(name + " is longer than " + maxChars + " characters");
        }
        if (allowed != null && !allowed.matcher(value).matches()) {
            throw new KeyMaterialException(name + " has characters it cannot have");
        }
        return value;
    }

    public String required(String name, int maxChars, Pattern allowed) throws KeyMaterialException {
        String value = optional(name, maxChars, allowed);
        if (value == null) {
            throw new KeyMaterialException(name + " is required");
        }
        return value;
    }

    /** Uploaded text (a PEM, a JSON key file) as given, bounded; null when absent. */
    public String text(String name, int maxChars) throws KeyMaterialException {
        String value = fields.get(name);
        if (value == null || value.isBlank()) {
            return null;
        }
        if (value.length() > maxChars) {
            throw new KeyMaterialException(name + " is larger than " + maxChars + " characters");
        }
        return value;
    }

    /** Space-separated scopes (RFC 6749 3.3 characters), at least one. */
    public Set<String> scopes(String name) throws KeyMaterialException {
        String value = required(name, 4096, null);
        Set<String> scopes = new LinkedHashSet<>(Arrays.asList(value.split("\\s+")));
        if (scopes.size() > MAX_SCOPES) {
            throw new KeyMaterialException(name + " names more than " + MAX_SCOPES + " scopes");
        }
        for (String scope : scopes) {
            if (!SCOPE.matcher(scope).matches()) {
                throw new KeyMaterialException(name + " has a scope with characters a scope cannot have");
            }
        }
        return scopes;
    }

    /**
     * An https origin ({@code https://host[:port]}, no path, query or credentials), or null when absent: a host an
     * admin names for tokens to be minted at.
     */
    public String httpsOrigin(String name) throws KeyMaterialException {
        String value = optional(name, 255, null);
        if (value == null) {
            return null;
        }
        URI uri;
        try {
            uri = new URI(value.endsWith("/") ? value.substring(0, value.length() - 1) : value);
        } catch (URISyntaxException e) {
            throw new KeyMaterialException(name + " is not a URL");
        }
        if (!"https".equals(uri.getScheme()) || uri.getHost() == null || uri.getRawUserInfo() != null
                || (uri.getRawPath() != null && !uri.getRawPath().isEmpty()) || uri.getRawQuery() != null
                || uri.getRawFragment() != null) {
            throw new KeyMaterialException(name + " must be an https URL with no path, like https://acme.my.salesforce.com");
        }
        return "https://" + uri.getHost().toLowerCase(Locale.ROOT) + (uri.getPort() == -1 ? "" : ":" + uri.getPort());
    }
}
