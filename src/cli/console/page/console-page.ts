/**
 * @module cli/console/page/console-page
 * The console's page (docs/console.md): the account, the requests waiting (pushed by the
 * console as server-sent events), PINs, the device list and claiming a labelled device. Every
 * action is a POST to the console with the session's CSRF token; the console runs the `mesh`
 * command behind it. Every string shown is set as text (dom.ts), and the console has already
 * made any control or invisible character in it visible.
 */
import { append, h, labelled, replace } from './dom.js';
import { scanPhoto, scanWithCamera, type CameraScan } from './label-scanner.js';
import { ledBlink } from './led-blink.js';
import { qrSvg } from './qr-svg.js';

type Json = Record<string, unknown>;

const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';

class ActionError extends Error {}

async function post(action: string, body: Json): Promise<Json> {
  const response = await fetch(`/api/${action}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
    body: JSON.stringify(body),
    credentials: 'same-origin',
  });
  const answer = (await response.json().catch(() => ({}))) as Json;
  if (!response.ok)
    throw new ActionError(
      typeof answer['error'] === 'string' ? answer['error'] : `the console answered ${response.status}`,
    );
  return answer;
}

const str = (v: unknown, fallback = '—'): string => (typeof v === 'string' && v !== '' ? v : fallback);

// ---- layout -------------------------------------------------------------

const app = document.getElementById('app') as HTMLElement;
const notice = h('p', { class: 'notice', role: 'status', 'aria-live': 'polite', id: 'notice' });
const accountBox = h('section', { class: 'card', id: 'account', 'aria-labelledby': 'account-title' });
const pendingList = h('div', { id: 'pending-list' });
const pendingState = h('p', { class: 'muted', id: 'pending-state' }, 'Connecting to the console…');
const answered = h('div', { id: 'answered' });
const devicesBox = h('div', { id: 'devices-list' });

function say(text: string, kind: 'ok' | 'error' = 'ok'): void {
  notice.className = `notice ${kind}`;
  replace(notice, text);
}

async function act(
  action: string,
  body: Json,
  done: (answer: Json) => void,
  button?: HTMLButtonElement,
): Promise<void> {
  if (button !== undefined) button.disabled = true;
  try {
    const answer = await post(action, body);
    done(answer);
    void refreshOverview();
  } catch (error) {
    say(error instanceof Error ? error.message : String(error), 'error');
  } finally {
    if (button !== undefined) button.disabled = false;
  }
}

// ---- account --------------------------------------------------------------

function renderAccount(overview: Json): void {
  const status = (overview['status'] ?? {}) as Json;
  const keystore = (overview['keystore'] ?? {}) as Json;
  const devices = (status['devices'] ?? {}) as Json;
  const reachable = status['reachable'] === true;
  replace(
    accountBox,
    h('h2', { id: 'account-title' }, 'Account'),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Account'),
      h('dd', { id: 'account-name' }, str(status['account'])),
      h('dt', {}, 'Profile'),
      h('dd', { class: 'udf' }, str(status['profileUdf'])),
      h('dt', {}, 'Service'),
      h(
        'dd',
        {},
        str(status['service']),
        ' ',
        h(
          'span',
          { class: reachable ? 'badge ok' : 'badge bad' },
          reachable ? 'reachable' : `unreachable ${str(status['serviceError'], '')}`,
        ),
      ),
      h('dt', {}, 'Keystore'),
      h('dd', {}, `${str(keystore['tier'])} (${str(keystore['description'], '')})`),
      h('dt', {}, 'Devices'),
      h('dd', {}, `${Number(devices['connected'] ?? 0)} connected, ${Number(devices['revoked'] ?? 0)} revoked`),
    ),
  );
}

// ---- pending requests -------------------------------------------------------

const PIN_TEXT: Record<string, string> = {
  verified: 'Yes: it used a PIN you made (checked by this console, not by the service)',
  none: 'No PIN: compare the witness with the device',
  unknown: 'It used a PIN this account did not make',
  mismatch: 'Its PIN proof does not match your PIN',
  expired: 'It used one of your PINs after it expired',
  used: 'It used a PIN another device already used',
};

function witnessGroups(witness: string): HTMLElement {
  return h(
    'p',
    { class: 'witness', 'aria-label': `witness ${witness.split('-').join(' ')}` },
    ...witness.split('-').map((g) => h('span', { class: 'group' }, g)),
  );
}

function pendingCard(r: Json): HTMLElement {
  const witness = str(r['witness']);
  const acceptable = r['acceptable'] === true;
  const code = typeof r['checkCode'] === 'string' ? r['checkCode'] : undefined;
  const id = `req-${witness.replace(/[^A-Z0-9]/gi, '')}`;
  const confirm = h('input', { type: 'checkbox', id: `${id}-confirm`, class: 'confirm' });
  const roles = h('input', { type: 'text', id: `${id}-roles`, autocomplete: 'off', placeholder: 'e.g. thermostat' });
  const accept = h('button', { type: 'button', class: 'primary accept', disabled: true }, 'Accept');
  const reject = h('button', { type: 'button', class: 'danger reject' }, 'Reject');
  confirm.addEventListener('change', () => {
    accept.disabled = !confirm.checked || !acceptable;
  });
  accept.addEventListener('click', () => {
    if (!confirm.checked) return;
    const body: Json = { witness };
    if (roles.value.trim() !== '') body['roles'] = roles.value.trim();
    void act('accept', body, (a) => showAnswered('Accepted', a), accept);
  });
  reject.addEventListener('click', () => {
    void act('reject', { witness }, (a) => showAnswered('Rejected', (a['rejected'] ?? {}) as Json), reject);
  });
  const problems = Array.isArray(r['problems']) ? (r['problems'] as unknown[]) : [];
  const notes = Array.isArray(r['notes']) ? (r['notes'] as unknown[]) : [];
  return h(
    'article',
    { class: 'request', id, 'aria-label': `connection request ${witness}` },
    h('h3', {}, 'A device asks to join'),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Device fingerprint'),
      h('dd', { class: 'udf device-udf' }, str(r['deviceUdf'], 'unknown')),
      r['description'] === undefined ? null : h('dt', {}, 'Description'),
      r['description'] === undefined
        ? null
        : h(
            'dd',
            { class: 'description' },
            h('span', { class: 'device-text' }, str(r['description'], '')),
            h('small', {}, ' (as the device describes itself)'),
          ),
      h('dt', {}, 'PIN'),
      h('dd', { class: 'pin-check' }, PIN_TEXT[str(r['pin'])] ?? str(r['pin'])),
      h('dt', {}, 'Received'),
      h('dd', {}, str(r['received'])),
    ),
    h('h4', {}, 'Witness: compare every group with the device'),
    witnessGroups(witness),
    code === undefined
      ? h('p', { class: 'muted' }, 'No check code: the witness did not verify.')
      : h(
          'p',
          { class: 'check-code' },
          'Check code ',
          h('strong', { class: 'digits' }, [...code].join(' ')),
          ' as the LED blinks it: ',
          ledBlink(code),
        ),
    ...problems.map((p) => h('p', { class: 'problem' }, `Cannot be accepted: ${str(p)}`)),
    ...notes.map((n) => h('p', { class: 'note' }, str(n))),
    h(
      'div',
      { class: 'actions' },
      h('label', { class: 'check', for: `${id}-confirm` }, confirm, ' The device shows this same witness'),
      labelled('Roles (optional)', roles),
      accept,
      reject,
    ),
  );
}

function showAnswered(verb: string, a: Json): void {
  const first = (Array.isArray(a['accepted']) ? (a['accepted'] as Json[])[0] : a) ?? {};
  const device = str(first['deviceUdf']);
  say(`${verb} ${device}`);
  replace(
    answered,
    h(
      'div',
      { class: `answered ${verb.toLowerCase()}`, role: 'status' },
      h('strong', {}, `${verb}: `),
      h('span', { class: 'udf' }, device),
      h('br'),
      'witness ',
      h('span', { class: 'udf' }, str(first['witness'])),
      verb === 'Accepted' ? h('p', {}, 'The device connects when it next asks the service.') : null,
    ),
  );
}

function renderPending(pending: Json[]): void {
  replace(pendingList, ...pending.map(pendingCard));
  replace(
    pendingState,
    pending.length === 0
      ? 'Nothing is waiting. A device that asks to join shows up here by itself.'
      : `${pending.length} waiting`,
  );
}

function listen(): void {
  const events = new EventSource('/api/events');
  events.addEventListener('pending', (e) => {
    const data = JSON.parse((e as MessageEvent<string>).data) as Json;
    renderPending(Array.isArray(data['pending']) ? (data['pending'] as Json[]) : []);
  });
  events.addEventListener('pending-error', (e) => {
    const data = JSON.parse((e as MessageEvent<string>).data) as Json;
    replace(pendingState, `Cannot list requests now: ${str(data['message'])}`);
  });
  events.addEventListener('error', () => replace(pendingState, 'Lost the console; reconnecting…'));
}

// ---- devices ----------------------------------------------------------------

function deviceRow(d: Json): HTMLElement {
  const udf = str(d['deviceUdf']);
  const connected = d['status'] === 'Connected';
  const revoke = h('button', { type: 'button', class: 'danger revoke', 'aria-label': `Revoke ${udf}` }, 'Revoke');
  let armed = false;
  revoke.addEventListener('click', () => {
    if (!armed) {
      armed = true;
      replace(revoke, 'Really revoke?');
      setTimeout(() => {
        armed = false;
        replace(revoke, 'Revoke');
      }, 5000);
      return;
    }
    void act('revoke', { deviceUdf: udf }, () => say(`Revoked ${udf}`), revoke);
  });
  const url = h('input', { type: 'url', placeholder: 'mqtts://broker.example.com:8883', required: true });
  const user = h('input', { type: 'text', autocomplete: 'off' });
  const password = h('input', { type: 'password', autocomplete: 'off' });
  const prefix = h('input', { type: 'text', placeholder: 'mesh/devices' });
  const give = h('button', { type: 'submit' }, 'Give this broker');
  const form = h(
    'form',
    { class: 'broker' },
    labelled('Broker URL', url),
    labelled('User', user),
    labelled('Password', password),
    labelled('Topic prefix', prefix),
    give,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const body: Json = { deviceUdf: udf, mqttUrl: url.value };
    if (user.value !== '') body['mqttUser'] = user.value;
    if (password.value !== '') body['mqttPassword'] = password.value;
    if (prefix.value !== '') body['topicPrefix'] = prefix.value;
    void act('configure', body, () => say(`${udf} was given the broker ${url.value}`), give);
  });
  return h(
    'tr',
    { class: 'device' },
    h('td', { class: 'udf' }, udf),
    h('td', {}, h('span', { class: `badge ${connected ? 'ok' : 'bad'}` }, str(d['status']))),
    h('td', {}, d['serviceStatus'] === null ? 'unreachable' : str(d['serviceStatus'])),
    h('td', {}, Array.isArray(d['roles']) && d['roles'].length > 0 ? (d['roles'] as string[]).join(', ') : '—'),
    h('td', { class: 'device-text' }, str(d['description'], '')),
    h('td', {}, str(d['revoked'] ?? d['answered'])),
    h('td', {}, connected ? revoke : null, connected ? h('details', {}, h('summary', {}, 'MQTT broker'), form) : null),
  );
}

function renderDevices(overview: Json): void {
  const list = ((overview['devices'] ?? {}) as Json)['devices'];
  const devices = Array.isArray(list) ? (list as Json[]) : [];
  if (devices.length === 0) {
    replace(devicesBox, h('p', { class: 'muted' }, 'No devices yet.'));
    return;
  }
  replace(
    devicesBox,
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        {},
        h('caption', {}, 'Devices of this account (your own catalog, with what the service says)'),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...['Fingerprint', 'Status', 'Service', 'Roles', 'Description', 'Since', 'Actions'].map((t) =>
              h('th', { scope: 'col' }, t),
            ),
          ),
        ),
        h('tbody', {}, ...devices.map(deviceRow)),
      ),
    ),
  );
}

async function refreshOverview(): Promise<void> {
  try {
    const response = await fetch('/api/overview', { credentials: 'same-origin' });
    const overview = (await response.json()) as Json;
    if (!response.ok) throw new ActionError(str(overview['error']));
    renderAccount(overview);
    renderDevices(overview);
  } catch (error) {
    say(`Cannot read the account: ${error instanceof Error ? error.message : String(error)}`, 'error');
  }
}

// ---- PIN --------------------------------------------------------------------

function pinSection(): HTMLElement {
  const expires = h(
    'select',
    { id: 'pin-expires' },
    h('option', { value: '10m' }, '10 minutes'),
    h('option', { value: '1h', selected: true }, '1 hour'),
    h('option', { value: '1d' }, '1 day'),
  );
  const roles = h('input', { type: 'text', id: 'pin-roles', autocomplete: 'off' });
  const make = h('button', { type: 'submit', class: 'primary' }, 'Make a PIN');
  const result = h('div', { id: 'pin-result' });
  const form = h('form', {}, labelled('Valid for', expires), labelled('Roles (optional)', roles), make);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const body: Json = { expires: expires.value };
    if (roles.value.trim() !== '') body['roles'] = roles.value.trim();
    void act(
      'pin',
      body,
      (a) => {
        const qr = (a['qr'] ?? {}) as Json;
        replace(
          result,
          h(
            'p',
            { class: 'pin' },
            h('span', { class: 'field-label' }, 'PIN '),
            h('strong', { class: 'pin-value' }, str(a['pin'])),
          ),
          h('p', { class: 'udf' }, str(a['uri'])),
          h(
            'p',
            { class: 'muted' },
            `Expires ${str(a['expires'])}. Give it to one device: scan the code with its setup tool, or type the PIN.`,
          ),
          qrSvg(Number(qr['size'] ?? 0), str(qr['modules'], ''), `QR code of ${str(a['uri'])}`),
        );
        say('PIN made and registered with the service');
      },
      make,
    );
  });
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'pin-title' },
    h('h2', { id: 'pin-title' }, 'Make a PIN for a new device'),
    form,
    result,
  );
}

// ---- claim ------------------------------------------------------------------

function claimSection(): HTMLElement {
  const uri = h('input', {
    type: 'text',
    id: 'claim-uri',
    autocomplete: 'off',
    spellcheck: false,
    placeholder: 'mcu://maker@example.com/E…',
  });
  const fingerprint = h('input', { type: 'text', id: 'claim-fingerprint', autocomplete: 'off', spellcheck: false });
  const makerService = h('input', { type: 'url', id: 'claim-maker-service', autocomplete: 'off' });
  const roles = h('input', { type: 'text', id: 'claim-roles', autocomplete: 'off' });
  const video = h('video', { class: 'camera', hidden: true, 'aria-label': 'camera view' });
  const cameraButton = h('button', { type: 'button', id: 'scan-camera' }, 'Scan the label with the camera');
  const photo = h('input', { type: 'file', id: 'scan-photo', accept: 'image/*' });
  const claim = h('button', { type: 'submit', class: 'primary', id: 'claim-button' }, 'Claim');
  let scan: CameraScan | undefined;
  const read = (text: string): void => {
    uri.value = text;
    video.hidden = true;
    say('Label read. Check the fingerprint printed on the label, then Claim.');
  };
  cameraButton.addEventListener('click', () => {
    if (scan !== undefined) {
      scan.stop();
      scan = undefined;
      video.hidden = true;
      replace(cameraButton, 'Scan the label with the camera');
      return;
    }
    video.hidden = false;
    replace(cameraButton, 'Stop the camera');
    scanWithCamera(video, (text) => {
      scan = undefined;
      replace(cameraButton, 'Scan the label with the camera');
      read(text);
    }).then(
      (s) => {
        scan = s;
      },
      (error: unknown) => {
        video.hidden = true;
        replace(cameraButton, 'Scan the label with the camera');
        say(`The camera did not start: ${error instanceof Error ? error.message : String(error)}`, 'error');
      },
    );
  });
  photo.addEventListener('change', () => {
    const file = photo.files?.[0];
    if (file === undefined) return;
    scanPhoto(file).then(
      (text) => (text === undefined ? say('No QR code found in that photo', 'error') : read(text)),
      () => say('That file is not an image this browser can read', 'error'),
    );
  });
  const form = h(
    'form',
    {},
    h('div', { class: 'scan' }, cameraButton, labelled('Or a photo of the label', photo)),
    video,
    labelled('Label (mcu://…)', uri),
    labelled('Fingerprint printed on the label (optional, checked)', fingerprint),
    labelled("Maker's service (optional; found from the maker's domain otherwise)", makerService),
    labelled('Roles (optional)', roles),
    claim,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const body: Json = { uri: uri.value };
    if (fingerprint.value.trim() !== '') body['fingerprint'] = fingerprint.value.trim();
    if (makerService.value.trim() !== '') body['makerService'] = makerService.value.trim();
    if (roles.value.trim() !== '') body['roles'] = roles.value.trim();
    void act(
      'claim',
      body,
      (a) =>
        say(
          `Claimed ${str(a['deviceUdf'])} from ${str(a['maker'])}; it connects when it next asks its maker's service`,
        ),
      claim,
    );
  });
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'claim-title' },
    h('h2', { id: 'claim-title' }, 'Claim a labelled device'),
    form,
  );
}

// ---- start ------------------------------------------------------------------

replace(
  app,
  h('header', {}, h('h1', {}, 'Mesh console'), notice),
  accountBox,
  h(
    'section',
    { class: 'card', id: 'pending', 'aria-labelledby': 'pending-title' },
    h('h2', { id: 'pending-title' }, 'Waiting for you'),
    pendingState,
    answered,
    pendingList,
  ),
  h(
    'section',
    { class: 'card', id: 'devices', 'aria-labelledby': 'devices-title' },
    h('h2', { id: 'devices-title' }, 'Devices'),
    devicesBox,
  ),
  pinSection(),
  claimSection(),
);
append(app);
void refreshOverview();
listen();
