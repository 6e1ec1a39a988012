// The PDF preview of a document (fulltext/templates/fulltext/preview.html):
// pdf.js from the portal itself (pdfjs/ beside this file, installed from npm),
// one page at a time on a canvas, with buttons and keys to turn pages and zoom.
// The PDF comes from the portal's origin (/dokument/<id>/pdf); nothing here is
// inline script, and pdf.js runs without eval (isEvalSupported: false), as the
// Content-Security-Policy (script-src 'self') requires.

const ZOOM_STEPS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3];

async function start(root) {
  const status = root.querySelector("[data-pdf-status]");
  const canvas = root.querySelector("[data-pdf-canvas]");
  const pageInput = root.querySelector("[data-pdf-page]");
  const pageCount = root.querySelector("[data-pdf-pages]");
  const zoomOutput = root.querySelector("[data-pdf-zoom]");
  const surface = root.querySelector(".thueringen-pdf-canvas");
  const buttons = Object.fromEntries(
    [...root.querySelectorAll("[data-pdf-action]")].map((button) => [button.dataset.pdfAction, button]));
  const say = (text) => { status.textContent = text; };
  say(status.dataset.loading);

  const pdfjs = await import(new URL("pdfjs/pdf.min.mjs", import.meta.url).href);
  pdfjs.GlobalWorkerOptions.workerSrc = new URL("pdfjs/pdf.worker.min.mjs", import.meta.url).href;
  const pdf = await pdfjs.getDocument({
    url: root.dataset.thueringenPdf,
    isEvalSupported: false,
    enableXfa: false,
    withCredentials: true,
  }).promise;

  let pageNumber = 1;
  let zoom = ZOOM_STEPS.indexOf(1);
  // One rendering at a time on the canvas; a turn or zoom meanwhile is drawn right after it.
  let busy = false;
  let again = false;
  pageCount.textContent = String(pdf.numPages);
  pageInput.max = String(pdf.numPages);

  async function draw() {
    const page = await pdf.getPage(pageNumber);
    const viewport = page.getViewport({ scale: ZOOM_STEPS[zoom] * 1.5 });
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.floor(viewport.width * ratio);
    canvas.height = Math.floor(viewport.height * ratio);
    canvas.style.width = `${Math.floor(viewport.width)}px`;
    canvas.style.height = `${Math.floor(viewport.height)}px`;
    const label = status.dataset.pageLabel.replace("{page}", pageNumber).replace("{pages}", pdf.numPages);
    canvas.setAttribute("aria-label", label);
    await page.render({
      canvas,
      canvasContext: canvas.getContext("2d"),
      viewport,
      transform: ratio !== 1 ? [ratio, 0, 0, ratio, 0, 0] : null,
    }).promise;
    pageInput.value = String(pageNumber);
    zoomOutput.textContent = `${Math.round(ZOOM_STEPS[zoom] * 100)} %`;
    buttons.previous.disabled = pageNumber <= 1;
    buttons.next.disabled = pageNumber >= pdf.numPages;
    buttons["zoom-out"].disabled = zoom <= 0;
    buttons["zoom-in"].disabled = zoom >= ZOOM_STEPS.length - 1;
    root.dataset.pdfRendered = String(pageNumber);
    say(label);
  }

  async function render() {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      do {
        again = false;
        await draw();
      } while (again);
    } finally {
      busy = false;
    }
  }

  function go(number) {
    const next = Math.min(Math.max(1, number), pdf.numPages);
    if (next !== pageNumber) {
      pageNumber = next;
      render();
    }
  }

  function zoomBy(step) {
    const next = Math.min(Math.max(0, zoom + step), ZOOM_STEPS.length - 1);
    if (next !== zoom) {
      zoom = next;
      render();
    }
  }

  buttons.previous.addEventListener("click", () => go(pageNumber - 1));
  buttons.next.addEventListener("click", () => go(pageNumber + 1));
  buttons["zoom-out"].addEventListener("click", () => zoomBy(-1));
  buttons["zoom-in"].addEventListener("click", () => zoomBy(1));
  pageInput.addEventListener("change", () => go(parseInt(pageInput.value, 10) || 1));
  surface.addEventListener("keydown", (event) => {
    const keys = {
      PageDown: () => go(pageNumber + 1), ArrowRight: () => go(pageNumber + 1),
      PageUp: () => go(pageNumber - 1), ArrowLeft: () => go(pageNumber - 1),
      Home: () => go(1), End: () => go(pdf.numPages),
      "+": () => zoomBy(1), "=": () => zoomBy(1), "-": () => zoomBy(-1),
    };
    if (keys[event.key]) {
      event.preventDefault();
      keys[event.key]();
    }
  });
  for (const control of [...Object.values(buttons), pageInput]) {
    control.disabled = false;
  }
  await render();
}

const viewer = document.querySelector("[data-thueringen-pdf]");
if (viewer) {
  start(viewer).catch((error) => {
    const status = viewer.querySelector("[data-pdf-status]");
    status.textContent = status.dataset.failed;
    viewer.dataset.pdfError = String(error && error.message || error);
  });
}
