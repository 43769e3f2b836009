package dev.conduit.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * A browser without JavaScript: keeps cookies, follows redirects, submits forms. It stops at a redirect to
 * the demo app's callback, which nothing serves, and reports it as the final page.
 */
public final class BrowserSession {

    private final LocalhostCookies cookies = new LocalhostCookies();
    private final HttpClient http = HttpClient.newBuilder()
            .cookieHandler(cookies)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    /**
     * Keycloak marks its cookies Secure; browsers send Secure cookies to http://localhost (a secure context),
     * Java's CookieManager does not. Dropping the attribute on the way in does what the browser does.
     */
    private static final class LocalhostCookies extends CookieManager {
        LocalhostCookies() {
            super(null, CookiePolicy.ACCEPT_ALL);
        }

        @Override
        public void put(URI uri, Map<String, java.util.List<String>> headers) throws IOException {
            Map<String, java.util.List<String>> rewritten = new LinkedHashMap<>();
            headers.forEach((name, values) -> rewritten.put(name, name != null && name.toLowerCase().startsWith("set-cookie")
                    ? values.stream().map(v -> v.replaceAll("(?i);\\s*Secure", "")).toList() : values));
            super.put(uri, rewritten);
        }
    }

    public record Page(URI uri, int status, String body, String redirectedTo) {
        public Document document() {
            return Jsoup.parse(body, uri.toString());
        }

        /** The app callback's query parameter (code, error), when the flow ended at the app. */
        public String callbackParameter(String name) {
            if (redirectedTo == null) {
                return null;
            }
            String query = URI.create(redirectedTo).getRawQuery();
            if (query == null) {
                return null;
            }
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).equals(name)) {
                    return java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                }
            }
            return null;
        }

        public boolean endedAtApp() {
            return redirectedTo != null && redirectedTo.startsWith(ConduitEnvironment.APP_REDIRECT);
        }
    }

    /** The value of a cookie this browser holds (e.g. Keycloak's AUTH_SESSION_ID), or null. */
    public String cookie(String name) {
        return cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals(name))
                .map(java.net.HttpCookie::getValue).findFirst().orElse(null);
    }

    /** GET and follow redirects. */
    public Page open(String url) {
        return follow(HttpRequest.newBuilder(URI.create(url)).GET());
    }

    /** GET once, without following a redirect; the Location comes back as {@code redirectedTo}. */
    public Page openOnce(String url) {
        return unfollowed(send(HttpRequest.newBuilder(URI.create(url)).GET()));
    }

    /** POSTs an already encoded form once, without following a redirect (a provider's form_post callback). */
    public Page postFormOnce(String url, String encodedForm) {
        return unfollowed(send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(encodedForm))));
    }

    /** Submits the first form matching {@code selector}, with its own fields plus {@code values}. */
    public Page submit(Page page, String selector, Map<String, String> values) {
        return follow(formPost(page, selector, values));
    }

    /** Submits a form without following the answer's redirect; the Location comes back as {@code redirectedTo}. */
    public Page submitOnce(Page page, String selector, Map<String, String> values) {
        return unfollowed(send(formPost(page, selector, values)));
    }

    /** A response whose redirect is not followed: its Location, resolved, comes back as {@code redirectedTo}. */
    private static Page unfollowed(HttpResponse<String> response) {
        return new Page(response.uri(), response.statusCode(), response.body(),
                response.headers().firstValue("Location").map(l -> response.uri().resolve(l).toString()).orElse(null));
    }

    private HttpRequest.Builder formPost(Page page, String selector, Map<String, String> values) {
        Element form = page.document().selectFirst(selector);
        if (form == null) {
            throw new AssertionError("no form '" + selector + "' on " + page.uri() + ":\n" + page.body());
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (Element input : form.select("input[name], select[name], textarea[name]")) {
            String type = input.attr("type");
            if ("submit".equals(type) || "checkbox".equals(type) && !input.hasAttr("checked")) {
                continue;
            }
            fields.put(input.attr("name"), input.tagName().equals("select") ? selectedValue(input) : input.val());
        }
        fields.putAll(values);
        String action = form.attr("action").isEmpty() ? page.uri().toString() : form.absUrl("action");
        String body = fields.entrySet().stream()
                .map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                .collect(Collectors.joining("&"));
        return HttpRequest.newBuilder(URI.create(action))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private static String selectedValue(Element select) {
        Element option = select.selectFirst("option[selected]");
        if (option == null) {
            option = select.selectFirst("option");
        }
        return option == null ? "" : option.val();
    }

    private Page follow(HttpRequest.Builder first) {
        HttpResponse<String> response = send(first);
        for (int hops = 0; hops < 20; hops++) {
            int status = response.statusCode();
            String location = response.headers().firstValue("Location").orElse(null);
            if (status < 300 || status >= 400 || location == null) {
                return new Page(response.uri(), status, response.body(), null);
            }
            URI next = response.uri().resolve(location);
            if (next.toString().startsWith(ConduitEnvironment.APP_REDIRECT)) {
                return new Page(response.uri(), status, response.body(), next.toString());
            }
            response = send(HttpRequest.newBuilder(next).GET());
        }
        throw new AssertionError("too many redirects");
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String enc(String value) {
        return URLEncoder.encode(value == null ? "" : value, StandardCharsets.UTF_8);
    }
}
