// Firefox for the native driver: launches firefox-esr headless with puppeteer-core (WebDriver BiDi)
// and drives its pages on request (crosscheck/runtimes/browser/engines.py, FirefoxBrowser).
// Usage: node firefox_driver.mjs <firefox executable>     (then line-delimited JSON, see protocol.mjs)
// Calls: target "page:<op>", argument a JSON object, value the JSON of the op's result:
//   page:new {viewport?} → page id;  page:goto {page, url, timeoutMs};  page:evaluate {page, source, arg} → value
//   page:errors {page} → [message, …];  page:close {page}
// Requests are answered as they finish, not in turn (each answer carries its id): a page waiting for
// its Pyodide must not hold up another page's calls. The browser closes when stdin ends (the host
// closed it) or the process is told to stop.
import puppeteer from "puppeteer-core";
import { progress, serve } from "./protocol.mjs";

const executablePath = process.argv[2];
let browser = null;
const pages = new Map();
let nextPage = 1;

function pageOf(id) {
  const entry = pages.get(id);
  if (!entry) throw new Error(`no page ${JSON.stringify(id)}`);
  return entry;
}

// The source becomes a function here, in Node, only so that puppeteer sends its text to the page as
// a function declaration: nothing is evaluated with eval inside the page, whatever its CSP.
function asFunction(source) {
  return (0, eval)(`(${source})`);
}

const OPS = {
  async new({ viewport }) {
    const page = await browser.newPage();
    if (viewport) await page.setViewport(viewport);
    const id = String(nextPage++);
    const entry = { page, errors: [] };
    page.on("pageerror", (err) => entry.errors.push(String((err && err.message) || err)));
    pages.set(id, entry);
    return id;
  },
  async goto({ page, url, timeoutMs }) {
    await pageOf(page).page.goto(url, { waitUntil: "load", timeout: timeoutMs });
    return null;
  },
  async evaluate({ page, source, arg }) {
    const value = await pageOf(page).page.evaluate(asFunction(source), arg ?? null);
    return value === undefined ? null : value;
  },
  async errors({ page }) {
    return pageOf(page).errors.slice(-20);
  },
  async close({ page }) {
    const entry = pages.get(page);
    pages.delete(page);
    if (entry) await entry.page.close();
    return null;
  },
};

async function boot() {
  progress("launching Firefox");
  // puppeteer's own Firefox preferences point Firefox's services (updates, telemetry, blocklists) at
  // dummy.test, so it stays off the network. Added here: background tabs keep their timers. Each
  // runtime's page is a tab, only one is in front, and a page's own timeouts must fire on time.
  browser = await puppeteer.launch({
    browser: "firefox", executablePath, headless: true, timeout: 120000,
    extraPrefsFirefox: { "dom.min_background_timeout_value": 4, "dom.min_background_timeout_value_without_budget_throttling": 4,
      "dom.timeout.enable_budget_timer_throttling": false },
  });
  const [name, version] = (await browser.version()).split("/");
  return { browser: `${name.charAt(0).toUpperCase()}${name.slice(1)} ${version}`, driver: "puppeteer-core (WebDriver BiDi)" };
}

await serve({
  boot,
  async call(target, argument) {
    const op = target.startsWith("page:") && OPS[target.slice(5)];
    if (!op) throw new Error(`firefox_driver has no ${JSON.stringify(target)}; known: ${Object.keys(OPS).map((o) => "page:" + o).join(", ")}`);
    return JSON.stringify(await op(JSON.parse(argument)));
  },
  concurrent: true,
});
if (browser) await browser.close().catch(() => {});
