/*
 * Conduit connections console. Signs the admin in through Keycloak (authorization code + PKCE, public client
 * conduit-console of the realm the page is served in) and calls the admin REST API with the admin's own token:
 * Keycloak's admin permissions decide what is shown and allowed. Tokens stay in memory, never in storage.
 * ?realm=<name> manages another realm (an admin of the master realm); ?user=<id> shows one user's connections;
 * ?organization=<alias or id> shows an organization's connections and "Connect ... for this organization" (one per
 * enabled Conduit broker of the realm, as the vault's answer lists them) to that
 * organization's Conduit admins only (members of its organization group conduit-admins; a realm admin without that
 * sees the list, read-only). ?mine shows the signed-in person's own
 * connections in people's words (the provider's name and mark, the account's name and e-mail, the Conduit
 * permissions held, what happened and what to do, relative times; raw scopes under "Technical details") with
 * "Reconnect" and "Grant more access". Everything from the server or a provider is inserted as text, never as HTML.
 */
(function () {
  'use strict';

  var PAGE_SIZE = 20;
  var body = document.body;
  var loginRealm = body.dataset.realm;
  var clientId = body.dataset.clientId;
  var marker = '/realms/' + encodeURIComponent(loginRealm) + '/conduit-console/';
  var keycloakBase = location.origin + location.pathname.substring(0, location.pathname.indexOf(marker));
  var pageUrl = location.origin + location.pathname;
  var oidc = keycloakBase + '/realms/' + encodeURIComponent(loginRealm) + '/protocol/openid-connect';

  var session = { accessToken: null, refreshToken: null, idToken: null, expiresAt: 0 };
  var view = { realm: loginRealm, ownerKind: '', ownerId: '', provider: '', status: '', first: 0 };
  var ownerNames = {};
  var loads = 0;
  var actionOutcome = null;

  function el(id) { return document.getElementById(id); }

  function node(tag, attributes, children) {
    var element = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      if (name === 'text') {
        element.textContent = attributes[name];
      } else if (name.indexOf('data-') === 0 || name === 'class' || name === 'type' || name === 'title' || name === 'aria-label'
          || name === 'datetime' || name === 'role' || name === 'aria-hidden') {
        element.setAttribute(name, attributes[name]);
      }
    });
    (children || []).forEach(function (child) { element.appendChild(child); });
    return element;
  }

  function randomString(bytes) {
    var data = new Uint8Array(bytes);
    crypto.getRandomValues(data);
    return base64Url(data);
  }

  function base64Url(data) {
    var text = '';
    data.forEach(function (b) { text += String.fromCharCode(b); });
    return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function s256(verifier) {
    return crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))
      .then(function (digest) { return base64Url(new Uint8Array(digest)); });
  }

  /** Sends the browser to Keycloak; extra carries an application-initiated action (kc_action=idp_link:...). */
  function signIn(extra, action) {
    var verifier = randomString(48);
    var state = randomString(24);
    sessionStorage.setItem('conduit-console-login', JSON.stringify({
      verifier: verifier, state: state, search: location.search, action: action || null }));
    return s256(verifier).then(function (challenge) {
      var query = new URLSearchParams({
        client_id: clientId, redirect_uri: pageUrl, response_type: 'code', scope: 'openid', state: state,
        code_challenge: challenge, code_challenge_method: 'S256'
      });
      Object.keys(extra || {}).forEach(function (name) { query.set(name, extra[name]); });
      location.assign(oidc + '/auth?' + query.toString());
      return new Promise(function () {});
    });
  }

  /** Links (or re-links) a provider through Keycloak's account linking; the broker stores what was granted. */
  function link(provider, parameters, description) {
    var extra = { kc_action: 'idp_link:' + provider };
    Object.keys(parameters || {}).forEach(function (name) { extra[name] = parameters[name]; });
    return signIn(extra, description);
  }

  function tokenRequest(form) {
    return fetch(oidc + '/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString()
    }).then(function (response) {
      return response.json().then(function (answer) {
        if (!response.ok) {
          throw new Error('Sign-in failed: ' + (answer.error_description || answer.error || response.status));
        }
        session.accessToken = answer.access_token;
        session.refreshToken = answer.refresh_token || null;
        session.idToken = answer.id_token || session.idToken;
        session.expiresAt = Date.now() + (answer.expires_in || 60) * 1000;
        showWho();
      });
    });
  }

  /** Finishes a sign-in that came back with ?code=, or starts one. */
  function ensureSignedIn() {
    var query = new URLSearchParams(location.search);
    var saved = JSON.parse(sessionStorage.getItem('conduit-console-login') || 'null');
    if (query.has('code') && saved && query.get('state') === saved.state) {
      sessionStorage.removeItem('conduit-console-login');
      history.replaceState(null, '', pageUrl + saved.search);
      if (saved.action) {
        actionOutcome = { description: saved.action, status: query.get('kc_action_status') || 'success' };
      }
      return tokenRequest({
        grant_type: 'authorization_code', code: query.get('code'), redirect_uri: pageUrl,
        client_id: clientId, code_verifier: saved.verifier
      });
    }
    if (query.has('error') && saved) {
      sessionStorage.removeItem('conduit-console-login');
      history.replaceState(null, '', pageUrl + saved.search);
      return Promise.reject(new Error('Sign-in refused: ' + (query.get('error_description') || query.get('error'))));
    }
    return signIn();
  }

  function freshToken() {
    if (session.accessToken && Date.now() < session.expiresAt - 15000) {
      return Promise.resolve(session.accessToken);
    }
    if (session.refreshToken) {
      return tokenRequest({ grant_type: 'refresh_token', refresh_token: session.refreshToken, client_id: clientId })
        .then(function () { return session.accessToken; }, function () { return signIn(); });
    }
    return signIn();
  }

  function claims(jwt) {
    try {
      var part = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      return JSON.parse(decodeURIComponent(escape(atob(part))));
    } catch (malformed) {
      return {};
    }
  }

  /**
   * Whether the signed-in admin's token carries this admin role for the managed realm (realm-management in the realm
   * itself, {@code <realm>-realm} from master). Only to hide controls: the API decides.
   */
  function hasAdminRole(role) {
    var access = claims(session.accessToken).resource_access || {};
    var client = access[view.realm === loginRealm && loginRealm !== 'master' ? 'realm-management' : view.realm + '-realm'] || {};
    return (client.roles || []).indexOf(role) >= 0;
  }

  /**
   * An owner's server connections (issue 15), when the admin API lets the signed-in person read them: an
   * organization's (its id), or with a null id the realm's own.
   */
  function showServerConnections(organizationId, organizationLabel) {
    if (!window.ConduitServerConnections) {
      alertBox('danger', 'The server connections script did not load.');
      return Promise.resolve(null);
    }
    return window.ConduitServerConnections.start({ api: api, node: node, alertBox: alertBox,
      canManage: hasAdminRole('manage-identity-providers'), organizationId: organizationId,
      organizationLabel: organizationLabel }).catch(function (failure) { alertBox('danger', failure.message); });
  }

  function showWho() {
    var who = claims(session.accessToken);
    el('who').textContent = who.preferred_username ? 'Signed in as ' + who.preferred_username : '';
    el('sign-out').hidden = false;
  }

  /** An admin REST call in the managed realm; {@code body} is sent as JSON; {@code as} 'text' answers the body's text. */
  function api(method, path, body, as) {
    return freshToken().then(function (token) {
      var headers = { Authorization: 'Bearer ' + token, Accept: as === 'text' ? '*/*' : 'application/json' };
      if (body !== undefined && body !== null) {
        headers['Content-Type'] = 'application/json';
      }
      return fetch(keycloakBase + '/admin/realms/' + encodeURIComponent(view.realm) + path, {
        method: method, headers: headers, body: body === undefined || body === null ? undefined : JSON.stringify(body)
      });
    }).then(function (response) {
      if (response.status === 401) {
        session.accessToken = null;
        return signIn();
      }
      if (response.status === 204) {
        return null;
      }
      return response.text().then(function (text) {
        if (as === 'text' && response.ok) {
          return text;
        }
        var answer = null;
        try { answer = text ? JSON.parse(text) : null; } catch (notJson) { answer = null; }
        if (response.status === 403) {
          throw new Error('Not allowed: your admin roles in realm ' + view.realm + ' do not permit this.');
        }
        if (!response.ok) {
          throw new Error((answer && (answer.errorMessage || answer.error_description || answer.error)) || ('HTTP ' + response.status));
        }
        return answer;
      });
    });
  }

  function alertBox(kind, text) {
    var box = node('div', { 'class': 'pf-v5-c-alert pf-m-inline pf-m-' + kind, 'data-alert': kind }, [
      node('p', { 'class': 'pf-v5-c-alert__title', text: text })
    ]);
    el('alerts').replaceChildren(box);
  }

  function when(epochSeconds) {
    if (!epochSeconds) {
      return '—';
    }
    var millis = epochSeconds > 1e12 ? epochSeconds : epochSeconds * 1000;
    return new Date(millis).toLocaleString();
  }

  var RELATIVE_UNITS = [['year', 31536000], ['month', 2592000], ['week', 604800], ['day', 86400], ['hour', 3600],
    ['minute', 60], ['second', 1]];

  /** "3 minutes ago", "in 52 minutes": English, from the browser's clock. */
  function relative(epochSeconds) {
    var millis = epochSeconds > 1e12 ? epochSeconds : epochSeconds * 1000;
    var seconds = Math.round((millis - Date.now()) / 1000);
    if (Math.abs(seconds) < 45) {
      return 'just now';
    }
    var unit = RELATIVE_UNITS.filter(function (u) { return Math.abs(seconds) >= u[1]; })[0] || RELATIVE_UNITS[6];
    var count = Math.round(seconds / unit[1]);
    if (typeof Intl !== 'undefined' && Intl.RelativeTimeFormat) {
      return new Intl.RelativeTimeFormat('en', { numeric: 'auto' }).format(count, unit[0]);
    }
    var amount = Math.abs(count) + ' ' + unit[0] + (Math.abs(count) === 1 ? '' : 's');
    return count < 0 ? amount + ' ago' : 'in ' + amount;
  }

  /** A relative time, the absolute one in its title (and machine-readable in datetime). */
  function timeNode(epochSeconds, field) {
    if (!epochSeconds) {
      return node('span', { text: '—', 'data-field': field });
    }
    var millis = epochSeconds > 1e12 ? epochSeconds : epochSeconds * 1000;
    return node('time', { datetime: new Date(millis).toISOString(), title: when(epochSeconds), text: relative(epochSeconds),
      'data-field': field });
  }

  /**
   * The provider's mark: the initial of its type (else of its name) on the type's colour from app.css, grey for a type
   * the stylesheet has none for. No image: the page fetches nothing from elsewhere.
   */
  function mark(type, name) {
    var safeType = /^[a-z0-9-]+$/.test(type || '') ? type : 'other';
    var initial = String(safeType !== 'other' ? safeType : (name || '?')).charAt(0).toUpperCase();
    return node('span', { 'class': 'conduit-mark conduit-mark-' + safeType, 'aria-hidden': 'true', text: initial });
  }

  /** The upstream account as people know it: display name and e-mail, else (older connections) its id. */
  function accountCell(connection, label, withId) {
    var parts = [];
    if (connection.accountName) {
      parts.push(node('strong', { 'data-field': 'account-name', text: connection.accountName }));
    }
    if (connection.accountEmail) {
      parts.push(node('div', { 'data-field': 'account-email', 'class': connection.accountName ? 'conduit-muted' : '',
        text: connection.accountEmail }));
    }
    if (!parts.length || withId) {
      var id = (connection.accountId || '—') + (connection.instanceUrl ? ' · ' + connection.instanceUrl : '');
      parts.push(node('div', { 'data-field': 'account-id', 'class': parts.length ? 'conduit-muted conduit-small' : '', text: id }));
    }
    return node('td', { 'data-label': label, 'class': 'conduit-account' }, parts);
  }

  function ownerName(kind, id) {
    var key = kind + ':' + id;
    if (ownerNames[key]) {
      return Promise.resolve(ownerNames[key]);
    }
    var path = kind === 'USER' ? '/users/' + encodeURIComponent(id)
      : kind === 'ORGANIZATION' ? '/organizations/' + encodeURIComponent(id) : null;
    if (kind === 'REALM') {
      return Promise.resolve('the realm');
    }
    if (!path) {
      return Promise.resolve(kind.toLowerCase() + ' ' + id);
    }
    return api('GET', path).then(function (owner) {
      ownerNames[key] = kind === 'USER' ? 'user ' + owner.username : 'organization ' + (owner.alias || owner.name);
      return ownerNames[key];
    }, function () {
      return kind.toLowerCase() + ' ' + id;
    });
  }

  function loadCounts() {
    return api('GET', '/conduit-vault/counts').then(function (counts) {
      el('counts').replaceChildren.apply(el('counts'), Object.keys(counts).map(function (status) {
        return node('div', { 'class': 'conduit-count', 'data-status': status }, [
          node('span', { text: status.replace('_', ' ').toLowerCase() }),
          node('strong', { text: String(counts[status]) })
        ]);
      }));
    });
  }

  function row(connection) {
    var owner = node('td', { 'data-label': 'Owner', text: connection.ownerKind.toLowerCase() + ' ' + connection.ownerId });
    ownerName(connection.ownerKind, connection.ownerId).then(function (name) { owner.textContent = name; });
    var refresh = node('button', { type: 'button', 'class': 'pf-v5-c-button pf-m-secondary pf-m-small', 'data-action': 'refresh', text: 'Refresh' });
    var disconnect = node('button', { type: 'button', 'class': 'pf-v5-c-button pf-m-danger pf-m-small', 'data-action': 'disconnect', text: 'Disconnect' });
    refresh.addEventListener('click', function () { act(connection, 'refresh'); });
    disconnect.addEventListener('click', function () { act(connection, 'disconnect'); });
    var revoking = connection.ownerKind === 'REVOKING';
    return node('tr', { 'data-connection-id': connection.id, 'data-provider': connection.providerAlias, 'data-status': connection.status }, [
      owner,
      node('td', { 'data-label': 'Provider', text: connection.providerAlias }),
      accountCell(connection, 'Upstream account', true),
      node('td', { 'data-label': 'Status' }, [node('span', {
        'class': 'conduit-status conduit-status-' + connection.status, 'data-field': 'status',
        text: revoking ? 'REVOKING' : connection.status })]),
      node('td', { 'data-label': 'Scopes', 'class': 'conduit-scopes', text: (connection.scopes || []).join(' ') || '—' }),
      node('td', { 'data-label': 'Access token expires' }, [timeNode(connection.expiresAt, 'expires')]),
      node('td', { 'data-label': 'Last refresh', 'data-field': 'last-refresh' }, [timeNode(connection.lastRefreshAt)]),
      node('td', { 'data-label': 'Last error', 'class': 'conduit-error', text: connection.lastError || '' }),
      // the API decides; the page shows no button a viewer (no manage-identity-providers) could only get refused for
      node('td', { 'class': 'conduit-actions' }, !hasAdminRole('manage-identity-providers') ? []
        : revoking ? [refresh] : [refresh, disconnect])
    ]);
  }

  function act(connection, action) {
    var path = '/conduit-vault/connections/' + encodeURIComponent(connection.id);
    var label = connection.providerAlias + ' connection of ' + (ownerNames[connection.ownerKind + ':' + connection.ownerId] || connection.ownerId);
    var call;
    if (action === 'disconnect') {
      if (!window.confirm('Disconnect the ' + label + '? Its tokens are revoked at ' + connection.providerAlias + ' and deleted.')) {
        return;
      }
      call = api('DELETE', path).then(function () {
        alertBox('success', 'Disconnected the ' + label + ': revoked at the provider and removed.');
      });
    } else {
      call = api('POST', path + '/refresh').then(function (report) {
        if (report && report.revocationsFailed > 0) {
          alertBox('warning', 'The revocation of the ' + label + ' failed again; it is retried later, see its last error.');
        } else if (report && report.revocationsSent > 0) {
          alertBox('success', 'Removed the ' + label + ': revoked at the provider, or kept there because another connection still uses it.');
        } else if (report && report.failed > 0) {
          alertBox('warning', 'Refresh of the ' + label + ' failed; see its last error.');
        } else {
          alertBox('success', 'Refreshed the ' + label + '.');
        }
      });
    }
    call.then(reload, function (failure) { alertBox('danger', failure.message); });
  }

  function loadConnections() {
    var query = new URLSearchParams({ first: String(view.first), max: String(PAGE_SIZE + 1) });
    ['ownerKind', 'ownerId', 'provider', 'status'].forEach(function (name) {
      if (view[name]) {
        query.set(name, view[name]);
      }
    });
    var load = ++loads;
    return api('GET', '/conduit-vault/connections?' + query.toString()).then(function (connections) {
      if (load !== loads) {
        return; // a newer search answered first or is on its way
      }
      var more = connections.length > PAGE_SIZE;
      var shown = connections.slice(0, PAGE_SIZE);
      var tbody = el('connections').tBodies[0];
      tbody.replaceChildren.apply(tbody, shown.map(row));
      el('connections').setAttribute('data-query', query.toString()); // which search the rows answer
      el('empty').hidden = shown.length > 0;
      el('previous').disabled = view.first === 0;
      el('next').disabled = !more;
      el('page-label').textContent = shown.length ? (view.first + 1) + '–' + (view.first + shown.length) : '';
    });
  }

  function reload() {
    return Promise.all([loadCounts(), loadConnections()]).catch(function (failure) { alertBox('danger', failure.message); });
  }

  /**
   * The managed realm's organization with this alias, id or name, or undefined. Keycloak's search matches names (and
   * domains), not aliases: an alias that is no name is found in the list.
   */
  function findOrganization(reference) {
    function matching(found) {
      return (found || []).filter(function (o) { return o.alias === reference || o.id === reference || o.name === reference; })[0];
    }
    return api('GET', '/organizations?exact=true&search=' + encodeURIComponent(reference)).then(function (found) {
      return matching(found) || api('GET', '/organizations?briefRepresentation=true&first=0&max=1000').then(matching);
    });
  }

  function lookUpOwner() {
    var username = el('filter-user').value.trim();
    var organization = el('filter-organization').value.trim();
    if (username) {
      return api('GET', '/users?exact=true&username=' + encodeURIComponent(username)).then(function (users) {
        if (!users.length) {
          throw new Error('No user ' + username + ' in realm ' + view.realm + '.');
        }
        ownerNames['USER:' + users[0].id] = 'user ' + users[0].username;
        return { kind: 'USER', id: users[0].id };
      });
    }
    if (organization) {
      return findOrganization(organization).then(function (match) {
        if (!match) {
          throw new Error('No organization ' + organization + ' in realm ' + view.realm + '.');
        }
        ownerNames['ORGANIZATION:' + match.id] = 'organization ' + (match.alias || match.name);
        return { kind: 'ORGANIZATION', id: match.id };
      });
    }
    return Promise.resolve({ kind: '', id: '' });
  }

  function search(event) {
    event.preventDefault();
    lookUpOwner().then(function (owner) {
      view.ownerKind = owner.kind;
      view.ownerId = owner.id;
      view.provider = el('filter-provider').value;
      view.status = el('filter-status').value;
      view.first = 0;
      el('alerts').replaceChildren();
      return reload();
    }).catch(function (failure) { alertBox('danger', failure.message); });
  }

  function loadMine() {
    return freshToken().then(function (token) {
      return fetch(keycloakBase + '/realms/' + encodeURIComponent(loginRealm) + '/conduit-my-connections', {
        headers: { Authorization: 'Bearer ' + token, Accept: 'application/json' }
      });
    }).then(function (response) {
      if (!response.ok) {
        throw new Error('Could not read your connections (HTTP ' + response.status + ').');
      }
      return response.json();
    }).then(function (connections) {
      var tbody = el('my-connections').tBodies[0];
      tbody.replaceChildren.apply(tbody, connections.map(function (connection) { return mineRow(connection); }));
      el('mine-empty').hidden = connections.length > 0;
    });
  }

  /** A row of "my" connections; {@code extra} carries conduit_organization when they are an organization's. */
  function mineRow(connection, extra) {
    var organizationParameters = extra || {};
    function withExtra(parameters) {
      var all = {};
      Object.keys(organizationParameters).forEach(function (name) { all[name] = organizationParameters[name]; });
      Object.keys(parameters).forEach(function (name) { all[name] = parameters[name]; });
      return all;
    }
    var needsUser = connection.action === 'reconnect'
      || (!connection.action && (connection.status === 'RECONNECT_REQUIRED' || connection.status === 'REVOKED'));
    var providerName = connection.providerName || connection.provider;
    var reconnect = node('button', { type: 'button', 'data-action': 'reconnect', text: 'Reconnect',
      'class': 'pf-v5-c-button pf-m-small ' + (needsUser ? 'pf-m-primary' : 'pf-m-secondary') });
    reconnect.addEventListener('click', function () {
      link(connection.provider, withExtra({}), 'Reconnected ' + providerName + '.');
    });
    var more = node('button', { type: 'button', 'class': 'pf-v5-c-button pf-m-link pf-m-small', 'data-action': 'grant-more',
      text: 'Grant more access' });
    var scopes = node('input', { type: 'text', 'class': 'pf-v5-c-form-control', 'aria-label': 'Scopes to add at ' + providerName });
    scopes.placeholder = 'provider scopes, space-separated';
    scopes.name = 'scopes';
    var ask = node('button', { type: 'submit', 'class': 'pf-v5-c-button pf-m-secondary pf-m-small', text: 'Ask ' + providerName });
    var grant = node('form', { 'class': 'conduit-grant' }, [scopes, ask]);
    grant.hidden = true;
    more.addEventListener('click', function () { grant.hidden = false; scopes.focus(); });
    grant.addEventListener('submit', function (event) {
      event.preventDefault();
      var wanted = scopes.value.trim();
      if (wanted) {
        link(connection.provider, withExtra({ conduit_scope: wanted }), 'Asked ' + providerName + ' for more access.');
      }
    });
    var status = needsUser ? 'Needs you: reconnect' : connection.action === 'ask_admin' ? 'Needs an administrator'
      : connection.status === 'EXPIRING' ? 'Working (retrying)' : 'Connected';
    var statusCell = node('td', { 'data-label': 'Status' }, [
      node('span', { 'class': 'conduit-status conduit-status-' + connection.status, 'data-field': 'status', text: status })
    ]);
    if (connection.summary) {
      var sentence = node('p', { 'class': needsUser ? 'conduit-summary conduit-summary-act' : 'conduit-summary',
        'data-field': 'summary', text: connection.summary });
      if (connection.statusSince && connection.status !== 'HEALTHY') {
        sentence.appendChild(document.createTextNode(' '));
        sentence.appendChild(node('span', { 'class': 'conduit-muted' }, [
          document.createTextNode('('), timeNode(connection.statusSince, 'status-since'), document.createTextNode(')')]));
      }
      statusCell.appendChild(sentence);
    } else if (needsUser && connection.reason) {
      statusCell.appendChild(node('div', { 'class': 'conduit-error', text: connection.reason }));
    }
    var permissions = (connection.permissions || []).map(function (permission) {
      return node('li', { 'class': 'conduit-permission', 'data-permission': permission.name, title: permission.name,
        text: permission.label });
    });
    var technical = node('details', { 'class': 'conduit-technical', 'data-field': 'technical' }, [
      node('summary', { text: 'Technical details' }),
      node('dl', {}, [
        node('dt', { text: 'Provider scopes' }),
        node('dd', { 'class': 'conduit-scopes', 'data-field': 'scopes', text: (connection.scopes || []).join(' ') || '—' }),
        node('dt', { text: 'Account id' }),
        node('dd', { 'data-field': 'account-id', text: (connection.accountId || '—')
          + (connection.instanceUrl ? ' · ' + connection.instanceUrl : '') }),
        node('dt', { text: 'Status' }),
        node('dd', { 'data-field': 'status-code', text: connection.status + (connection.reason ? ': ' + connection.reason : '') })
      ])
    ]);
    var access = node('td', { 'data-label': 'Access granted', 'class': 'conduit-access' }, [
      permissions.length ? node('ul', { 'class': 'conduit-permissions', 'data-field': 'permissions' }, permissions)
        : node('span', { 'class': 'conduit-muted', 'data-field': 'permissions', text: 'No Conduit permission' }),
      technical
    ]);
    var provider = node('td', { 'data-label': 'Provider', 'class': 'conduit-provider' }, [
      mark(connection.providerType, providerName), node('span', { 'data-field': 'provider-name', text: providerName })
    ]);
    return node('tr', { 'data-provider': connection.provider, 'data-status': connection.status,
      'data-action-needed': connection.action || '' }, [
      provider,
      accountCell(connection, 'Account', false),
      statusCell,
      access,
      node('td', { 'data-label': 'Last refresh' }, [timeNode(connection.lastRefreshAt, 'last-refresh')]),
      node('td', {}, [node('div', { 'class': 'conduit-actions' }, [reconnect, more]), grant])
    ]);
  }

  function showActionOutcome() {
    if (!actionOutcome) {
      return;
    }
    if (actionOutcome.status === 'success') {
      alertBox('success', actionOutcome.description);
    } else if (actionOutcome.status === 'cancelled') {
      alertBox('info', 'Cancelled; nothing changed.');
    } else {
      alertBox('danger', 'The provider or Keycloak refused: nothing changed (' + actionOutcome.status + ').');
    }
  }

  function signOut() {
    var logout = oidc + '/logout?' + new URLSearchParams({ client_id: clientId, post_logout_redirect_uri: pageUrl,
      id_token_hint: session.idToken || '' }).toString();
    session = { accessToken: null, refreshToken: null, idToken: null, expiresAt: 0 };
    location.assign(logout);
  }

  function startMine() {
    el('title').textContent = 'My connections';
    el('subtitle').textContent = 'Accounts at other services that apps reach on your behalf. Tokens are never shown.';
    el('managed-realm').textContent = 'Realm ' + loginRealm;
    el('mine').hidden = false;
    showActionOutcome();
    loadMine().catch(function (failure) { alertBox('danger', failure.message); });
  }

  /** The organization's connections if the signed-in person is one of its Conduit admins; null when not. */
  function loadOrganizationAsAdmin(organization) {
    return freshToken().then(function (token) {
      return fetch(keycloakBase + '/realms/' + encodeURIComponent(loginRealm) + '/conduit-my-connections/organizations/'
        + encodeURIComponent(organization), { headers: { Authorization: 'Bearer ' + token, Accept: 'application/json' } });
    }).then(function (response) {
      if (response.status === 403 || response.status === 404) {
        return null;
      }
      if (!response.ok) {
        throw new Error('Could not read the organization\'s connections (HTTP ' + response.status + ').');
      }
      return response.json();
    });
  }

  /** A broker as people know it: its name, and its alias too when that says something else. */
  function providerLabel(provider) {
    return String(provider.name).toLowerCase() === String(provider.alias).toLowerCase() ? provider.name
      : provider.name + ' (' + provider.alias + ')';
  }

  /** The managed realm's connections list, its provider filter listing the realm's enabled Conduit brokers. */
  function showAdmin() {
    el('admin').hidden = false;
    api('GET', '/conduit-vault/providers').then(function (providers) {
      var select = el('filter-provider');
      select.replaceChildren(select.options[0]);
      (providers || []).forEach(function (provider) {
        var option = node('option', { text: providerLabel(provider) });
        option.value = provider.alias;
        select.appendChild(option);
      });
      showMigrations(providers || []);
    }).catch(function (failure) { alertBox('danger', failure.message); });
    return reload();
  }

  /** A migration run's figures as text. */
  function migrationFigures(provider, run) {
    return providerLabel(provider) + ': ' + run.state + ', ' + run.migrated + ' migrated, ' + run.skipped + ' skipped, '
      + run.unparseable + ' unparseable, ' + run.remaining + ' remaining';
  }

  /**
   * One "Migrate stored tokens" button per Conduit broker: starts the run (202), then reads its progress every second
   * until it has FINISHED, FAILED (with why) or was INTERRUPTED (its node stopped: start it again to continue).
   */
  function showMigrations(providers) {
    var actions = el('stored-tokens-actions');
    actions.replaceChildren.apply(actions, providers.map(function (provider) {
      var path = '/conduit-vault/stored-tokens/' + encodeURIComponent(provider.alias);
      var button = node('button', { type: 'button', 'class': 'pf-v5-c-button pf-m-secondary', 'data-alias': provider.alias,
        text: 'Migrate stored tokens: ' + providerLabel(provider) });
      var progress = node('span', { 'class': 'conduit-muted', 'data-migration': provider.alias });
      function poll() {
        return api('GET', path).then(function (run) {
          progress.textContent = migrationFigures(provider, run);
          if (run.state === 'RUNNING') {
            return new Promise(function (resolve) { setTimeout(resolve, 1000); }).then(poll);
          }
          if (run.state === 'FINISHED') {
            alertBox('success', migrationFigures(provider, run));
          } else {
            alertBox('danger', migrationFigures(provider, run) + (run.reason ? ' (' + run.reason + ')'
              : run.state === 'INTERRUPTED' ? ' (the node running it stopped; start it again to continue)' : ''));
          }
          return reload();
        });
      }
      button.addEventListener('click', function () {
        button.disabled = true;
        api('POST', path + '/migrate').then(function (run) {
          progress.textContent = migrationFigures(provider, run);
          return poll();
        }).catch(function (failure) { alertBox('danger', failure.message); }).then(function () { button.disabled = false; });
      });
      return node('span', {}, [button, progress]);
    }));
  }

  function startOrganization(organization) {
    el('title').textContent = 'Connections of organization ' + organization;
    // an organization admin's own view is of the login realm's organizations; from another realm, the admin API's
    var asOrganizationAdmin = view.realm === loginRealm ? loadOrganizationAsAdmin(organization) : Promise.resolve(null);
    return asOrganizationAdmin.then(function (held) {
      if (held) {
        var label = held.name && held.name !== held.alias ? held.name + ' (' + held.alias + ')' : held.alias;
        el('title').textContent = 'Connections of organization ' + label;
        el('organization-name').textContent = label;
        if (held.enabled) {
          el('organization-connect').hidden = false;
          var actions = el('organization-connect-actions');
          actions.replaceChildren.apply(actions, (held.providers || []).map(function (provider) {
            var button = node('button', { type: 'button', 'class': 'pf-v5-c-button pf-m-primary',
              'data-connect': provider.alias, text: 'Connect ' + providerLabel(provider) + ' for this organization' });
            button.addEventListener('click', function () {
              link(provider.alias, { conduit_organization: held.alias },
                'Connected ' + provider.name + ' for organization ' + held.alias + '.');
            });
            return button;
          }));
          el('subtitle').textContent = 'You are a Conduit admin of this organization. Its members\' apps use these connections.';
        } else {
          el('subtitle').textContent = 'This organization is disabled: nothing can be connected for it, and apps get none of its connections.';
        }
        el('mine').hidden = false;
        el('mine-empty').textContent = 'The organization has no connections yet.';
        var tbody = el('my-connections').tBodies[0];
        tbody.replaceChildren.apply(tbody, held.connections.map(function (connection) {
          return mineRow(connection, { conduit_organization: held.alias });
        }));
        el('mine-empty').hidden = held.connections.length > 0;
        return showServerConnections(held.id, label);
      }
      el('subtitle').textContent = view.realm !== loginRealm
        ? 'An admin of realm ' + view.realm + ': the organization\'s connections through the admin API.'
        : 'You are not a Conduit admin of this organization (its "conduit-admins" group): '
          + 'you cannot connect providers for it.';
      // a realm admin still sees the list (read-only here), through the admin API
      return findOrganization(organization).then(function (match) {
        if (match) {
          view.ownerKind = 'ORGANIZATION';
          view.ownerId = match.id;
          ownerNames['ORGANIZATION:' + match.id] = 'organization ' + (match.alias || match.name);
          showServerConnections(match.id, match.alias || match.name);
          return showAdmin();
        }
        return null;
      }, function () { return null; });
    });
  }

  function start() {
    var query = new URLSearchParams(location.search);
    view.realm = query.get('realm') || loginRealm;
    el('sign-out').addEventListener('click', signOut);
    if (query.has('mine')) {
      startMine();
      return;
    }
    el('managed-realm').textContent = 'Realm ' + view.realm;
    el('filters').addEventListener('submit', search);
    el('previous').addEventListener('click', function () { view.first = Math.max(0, view.first - PAGE_SIZE); reload(); });
    el('next').addEventListener('click', function () { view.first += PAGE_SIZE; reload(); });
    if (query.get('organization')) {
      startOrganization(query.get('organization')).then(showActionOutcome, function (failure) {
        alertBox('danger', failure.message);
      });
      return;
    }
    if (query.get('user')) {
      view.ownerKind = 'USER';
      view.ownerId = query.get('user');
    }
    if (view.ownerKind) {
      ownerName(view.ownerKind, view.ownerId).then(function (name) { el('title').textContent = 'Connections of ' + name; });
    }
    showAdmin();
    if (!view.ownerKind) {
      showServerConnections(null, 'realm ' + view.realm);
    }
  }

  ensureSignedIn().then(start, function (failure) { alertBox('danger', failure.message); });
}());
