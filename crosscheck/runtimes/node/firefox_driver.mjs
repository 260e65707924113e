// Firefox for the native driver: launches firefox-esr headless with puppeteer-core (WebDriver BiDi)
// and drives its pages on request (crosscheck/runtimes/browser/engines.py, FirefoxBrowser).
// Usage: node firefox_driver.mjs <firefox executable>     (then line-delimited JSON, see protocol.mjs)
// Calls: target "page:<op>", argument a JSON object, value the JSON of the op's result:
//   page:new {viewport?} → page id;  page:goto {page, url, timeoutMs};  page:evaluate {page, source, arg} → value
//   page:errors {page} → [message, …];  page:close {page}
// The browser closes when stdin ends (the host closed the runtime) or the process is told to stop.
import puppeteer from "puppeteer-core";
import { serve, progress } from "./protocol.mjs";

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

await serve({
  async boot() {
    progress("launching Firefox");
    // No network beyond loopback: the pages load from the local server, and Firefox's own
    // background traffic (updates, telemetry, safe browsing) has nowhere to go.
    browser = await puppeteer.launch({
      browser: "firefox", executablePath, headless: true, timeout: 120000,
      extraPrefsFirefox: { "network.proxy.type": 0, "app.update.enabled": false, "browser.safebrowsing.malware.enabled": false,
        "browser.safebrowsing.phishing.enabled": false, "datareporting.policy.dataSubmissionEnabled": false,
        "toolkit.telemetry.enabled": false },
    });
    const [name, version] = (await browser.version()).split("/");
    return { browser: `${name.charAt(0).toUpperCase()}${name.slice(1)} ${version}`, driver: "puppeteer-core (WebDriver BiDi)" };
  },
  async call(target, argument) {
    const op = target.startsWith("page:") && OPS[target.slice(5)];
    if (!op) throw new Error(`firefox_driver has no ${JSON.stringify(target)}; known: ${Object.keys(OPS).map((o) => "page:" + o).join(", ")}`);
    return JSON.stringify(await op(JSON.parse(argument)));
  },
});
if (browser) await browser.close().catch(() => {});
