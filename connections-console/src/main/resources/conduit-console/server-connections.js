/*
 * Conduit connections console: an organization's server connections (issue 15), or with no organization id the
 * realm's own, through the vault's admin API (server-kinds, organizations/{id}/server-connections or
 * server-connections, connections/{id}/credential, certificate, previous-key,
 * refresh, disconnect). app.js hands over its helpers: api (the admin API with the admin's token), node (elements
 * with text, never HTML), alertBox, and whether the token carries manage-identity-providers (the page then shows
 * the controls; the API decides all the same). Secrets (a consumer secret, a token, a private key or a JSON key
 * file read client-side) go only into the request's JSON body: never into the page again, a URL, storage or a log;
 * the form is emptied after each submit.
 */
(function () {
  'use strict';

  /** Fields whose value is a file: read in the browser, sent as text in the JSON body. */
  var FILE_FIELDS = {
    private_key: { accept: '.pem,.key,application/x-pem-file', what: 'PEM file' },
    service_account_key: { accept: '.json,application/json', what: 'JSON key file' }
  };

  /** What is shown of a credential, in this order, with these labels; the certificate itself has its own block. */
  var SHOWN_LABELS = [['consumer_key', 'Consumer key'], ['username', 'Integration user'], ['login_host', 'Login host'],
    ['my_domain', 'My Domain'], ['client_email', 'Service account'], ['domain', 'Workspace domain'],
    ['region', 'Region'], ['portal_id', 'Portal'], ['key_origin', 'Key'], ['certificate_sha256', 'Certificate SHA-256'],
    ['previous_certificate_sha256', 'Previous certificate SHA-256 (still accepted)']];

  function start(helpers) {
    var api = helpers.api;
    var node = helpers.node;
    var alertBox = helpers.alertBox;
    var section = document.getElementById('server');
    var table = document.getElementById('server-connections');
    var chooser = document.getElementById('server-kind');
    var createForm = document.getElementById('server-create');
    var createFields = document.getElementById('server-create-fields');
    var kinds = [];

    function label(field) {
      return field.name.replace(/_/g, ' ') + (field.required ? '' : ' (optional)');
    }

    /** The inputs of a kind; files are read into {@code files} (in memory, until the submit). */
    function fieldInputs(kind, container, files, shown) {
      container.replaceChildren();
      (kind ? kind.fields : []).forEach(function (field) {
        var id = container.id + '-' + field.name;
        var input;
        if (field.secret && FILE_FIELDS[field.name]) {
          input = node('input', { type: 'file', 'class': 'pf-v5-c-form-control', 'data-field-name': field.name });
          input.accept = FILE_FIELDS[field.name].accept;
          input.addEventListener('change', function () {
            delete files[field.name];
            var file = input.files && input.files[0];
            if (!file) {
              return;
            }
            if (file.size > 60 * 1024) {
              alertBox('danger', 'The ' + FILE_FIELDS[field.name].what + ' is larger than 60 KB: not a key.');
              input.value = '';
              return;
            }
            files[field.name] = file.text();
          });
        } else {
          input = node('input', { type: field.secret ? 'password' : 'text', 'class': 'pf-v5-c-form-control',
            'data-field-name': field.name });
          input.autocomplete = field.secret ? 'new-password' : 'off';
          if (!field.secret && shown && shown[field.name]) {
            input.value = shown[field.name];
          }
        }
        input.id = id;
        input.name = field.name;
        input.required = field.required;
        var fieldLabel = node('label', { 'class': 'pf-v5-c-form__label', text: label(field) });
        fieldLabel.htmlFor = id;
        container.appendChild(node('div', { 'class': 'conduit-field' }, [fieldLabel, input,
          node('div', { 'class': 'conduit-muted conduit-small', text: field.what + (field.secret ? ' (sealed; never shown again)' : '') })]));
      });
    }

    /** The form's values (a promise: files are read as they are chosen); empty optional fields left out. */
    function inputOf(container, files) {
      var input = {};
      container.querySelectorAll('input[data-field-name]').forEach(function (element) {
        if (element.type !== 'file' && element.value.trim() !== '') {
          input[element.name] = element.type === 'password' ? element.value : element.value.trim();
        }
      });
      var names = Object.keys(files);
      return Promise.all(names.map(function (name) { return files[name]; })).then(function (texts) {
        names.forEach(function (name, i) { input[name] = texts[i]; });
        return input;
      });
    }

    function forget(container, files) {
      container.querySelectorAll('input').forEach(function (element) { element.value = ''; });
      Object.keys(files).forEach(function (name) { delete files[name]; });
    }

    function kindOf(alias, id) {
      var found = null;
      kinds.forEach(function (provider) {
        if (provider.alias === alias) {
          provider.kinds.forEach(function (kind) { if (kind.id === id) { found = kind; } });
        }
      });
      return found;
    }

    function showKinds() {
      chooser.replaceChildren(node('option', { text: 'Choose a kind' }));
      chooser.options[0].value = '';
      kinds.forEach(function (provider) {
        provider.kinds.forEach(function (kind) {
          var option = node('option', { text: provider.alias + ': ' + kind.id + (kind.served ? '' : ' (not served yet)') });
          option.value = provider.alias + ' ' + kind.id;
          option.disabled = !kind.served;
          option.title = kind.description;
          chooser.appendChild(option);
        });
      });
    }

    var createFiles = {};
    chooser.addEventListener('change', function () {
      var chosen = chooser.value.split(' ');
      var kind = chooser.value ? kindOf(chosen[0], chosen[1]) : null;
      document.getElementById('server-kind-description').textContent = kind ? kind.description : '';
      forget(createFields, createFiles);
      fieldInputs(kind, createFields, createFiles, null);
      document.getElementById('server-create-submit').disabled = !kind;
    });

    createForm.addEventListener('submit', function (event) {
      event.preventDefault();
      var chosen = chooser.value.split(' ');
      var reading = inputOf(createFields, createFiles);
      forget(createFields, createFiles);
      reading.then(function (input) {
        return api('POST', (helpers.organizationId ? '/conduit-vault/organizations/'
          + encodeURIComponent(helpers.organizationId) : '/conduit-vault') + '/server-connections',
          { alias: chosen[0], kind: chosen[1], input: input });
      }).then(function (connection) {
          alertBox('success', 'Created the ' + connection.providerAlias + ' ' + connection.grantKind + ' connection'
            + (connection.shown && connection.shown.certificate ? ': upload its certificate (below) to the app.' : '.'));
          chooser.value = '';
          chooser.dispatchEvent(new Event('change'));
          return load();
        }, function (failure) { alertBox('danger', 'Not created: ' + failure.message); });
    });

    function shownList(shown) {
      var items = [];
      SHOWN_LABELS.forEach(function (pair) {
        if (shown[pair[0]]) {
          items.push(node('dt', { text: pair[1] }));
          items.push(node('dd', { 'data-shown': pair[0], text: shown[pair[0]] }));
        }
      });
      return node('dl', { 'class': 'conduit-shown' }, items);
    }

    function button(action, text, style) {
      return node('button', { type: 'button', 'data-action': action, text: text,
        'class': 'pf-v5-c-button pf-m-small ' + (style || 'pf-m-secondary') });
    }

    function download(connection) {
      api('GET', '/conduit-vault/connections/' + encodeURIComponent(connection.id) + '/certificate', null, 'text')
        .then(function (pem) {
          var link = node('a', {});
          link.href = URL.createObjectURL(new Blob([pem], { type: 'application/x-pem-file' }));
          link.download = 'conduit-' + connection.providerAlias + '-' + connection.id + '.crt';
          document.body.appendChild(link);
          link.click();
          link.remove();
          setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
        }, function (failure) { alertBox('danger', 'No certificate: ' + failure.message); });
    }

    /** The replace-credential form under a row: the kind's fields, the non-secret ones filled with what is shown. */
    function replaceForm(connection, cell) {
      var files = {};
      var fields = node('div', { 'class': 'conduit-fields' });
      fields.id = 'server-replace-' + connection.id;
      fieldInputs(kindOf(connection.providerAlias, connection.grantKind), fields, files, connection.shown || {});
      var hint = connection.grantKind === 'salesforce-jwt-bearer'
        ? 'Without a private key Conduit makes a new key pair; the previous key keeps minting until the new certificate is uploaded.'
        : 'The new secret replaces the current one at once.';
      var submit = node('button', { type: 'submit', 'class': 'pf-v5-c-button pf-m-primary pf-m-small', text: 'Replace' });
      var cancel = node('button', { type: 'button', 'class': 'pf-v5-c-button pf-m-link pf-m-small', text: 'Cancel' });
      var form = node('form', { 'class': 'conduit-replace', 'data-form': 'replace' }, [
        node('p', { 'class': 'conduit-muted conduit-small', text: hint }), fields,
        node('div', { 'class': 'conduit-actions' }, [submit, cancel])]);
      cancel.addEventListener('click', function () { forget(fields, files); form.remove(); });
      form.addEventListener('submit', function (event) {
        event.preventDefault();
        var reading = inputOf(fields, files);
        forget(fields, files);
        reading.then(function (input) {
          return api('PUT', '/conduit-vault/connections/' + encodeURIComponent(connection.id) + '/credential', { input: input });
        }).then(function (view) {
            alertBox('success', 'Replaced the credential of the ' + view.providerAlias + ' connection'
              + (view.shown && view.shown.previous_certificate_sha256 ? ': upload the new certificate; the previous key'
                + ' keeps minting until the new one does.' : '.'));
            return load();
          }, function (failure) { alertBox('danger', 'Not replaced: ' + failure.message); });
      });
      cell.appendChild(form);
    }

    function act(connection, action) {
      var path = '/conduit-vault/connections/' + encodeURIComponent(connection.id);
      var call;
      if (action === 'disconnect') {
        if (!window.confirm('Disconnect the ' + connection.providerAlias + ' ' + connection.grantKind + ' connection?')) {
          return;
        }
        call = api('DELETE', path).then(function () { alertBox('success', 'Disconnected the ' + connection.providerAlias + ' connection.'); });
      } else if (action === 'drop-previous-key') {
        call = api('DELETE', path + '/previous-key').then(function () {
          alertBox('success', 'Dropped the previous key: only the new certificate is accepted now.');
        });
      } else {
        call = api('POST', path + '/refresh').then(function (report) {
          alertBox(report && report.failed > 0 ? 'warning' : 'success', report && report.failed > 0
            ? 'The provider refused: see the last error.' : 'Refreshed the ' + connection.providerAlias + ' connection.');
        });
      }
      call.then(load, function (failure) { alertBox('danger', failure.message); });
    }

    function row(connection) {
      var shown = connection.shown || {};
      var actions = [];
      if (shown.certificate) {
        var get = button('download-certificate', 'Download certificate');
        get.addEventListener('click', function () { download(connection); });
        actions.push(get);
      }
      var cell = node('td', { 'data-label': 'Actions' });
      if (helpers.canManage) {
        var replace = button('replace-credential', 'Replace credential');
        replace.addEventListener('click', function () {
          if (!cell.querySelector('form')) {
            replaceForm(connection, cell);
          }
        });
        var refresh = button('refresh', 'Refresh now');
        refresh.addEventListener('click', function () { act(connection, 'refresh'); });
        actions.push(replace, refresh);
        if (shown.previous_certificate_sha256) {
          var drop = button('drop-previous-key', 'Drop previous key', 'pf-m-warning');
          drop.addEventListener('click', function () { act(connection, 'drop-previous-key'); });
          actions.push(drop);
        }
        var disconnect = button('disconnect', 'Disconnect', 'pf-m-danger');
        disconnect.addEventListener('click', function () { act(connection, 'disconnect'); });
        actions.push(disconnect);
      }
      cell.appendChild(node('div', { 'class': 'conduit-actions' }, actions));
      var details = node('td', { 'data-label': 'Details', 'class': 'conduit-account' }, [shownList(shown)]);
      if (shown.certificate) {
        details.appendChild(node('details', { 'class': 'conduit-technical' }, [node('summary', { text: 'Certificate (PEM)' }),
          node('pre', { 'class': 'conduit-certificate', 'data-field': 'certificate', text: shown.certificate })]));
      }
      return node('tr', { 'data-connection-id': connection.id, 'data-provider': connection.providerAlias,
        'data-kind': connection.grantKind, 'data-status': connection.status }, [
        node('td', { 'data-label': 'Provider', text: connection.providerAlias }),
        node('td', { 'data-label': 'Kind', 'data-field': 'kind', text: connection.grantKind }),
        details,
        node('td', { 'data-label': 'Status' }, [node('span', { 'class': 'conduit-status conduit-status-' + connection.status,
          'data-field': 'status', text: connection.status })]),
        node('td', { 'data-label': 'Last error', 'class': 'conduit-error', 'data-field': 'last-error', text: connection.lastError || '' }),
        cell
      ]);
    }

    function load() {
      var query = new URLSearchParams(helpers.organizationId
        ? { ownerKind: 'ORGANIZATION', ownerId: helpers.organizationId, max: '100' } : { ownerKind: 'REALM', max: '100' });
      return api('GET', '/conduit-vault/connections?' + query.toString()).then(function (connections) {
        var servers = (connections || []).filter(function (connection) { return !!connection.grantKind; });
        var tbody = table.tBodies[0];
        tbody.replaceChildren.apply(tbody, servers.map(row));
        document.getElementById('server-empty').hidden = servers.length > 0;
        table.setAttribute('data-loaded', String(Date.now()));
      });
    }

    return api('GET', '/conduit-vault/server-kinds').then(function (answer) {
      kinds = answer || [];
      section.hidden = false;
      document.getElementById('server-organization').textContent = helpers.organizationLabel;
      createForm.hidden = !helpers.canManage;
      showKinds();
      return load();
    }, function (failure) {
      section.hidden = true;
      if (!/^Not allowed/.test(failure.message)) { // no view-identity-providers in this realm: nothing to show
        alertBox('danger', 'Server connections: ' + failure.message);
      }
    });
  }

  window.ConduitServerConnections = { start: start };
}());
