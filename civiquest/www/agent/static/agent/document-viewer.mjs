/* The agent's PDF viewer: draws a citizen's PDF page by page into a <canvas> with pdf.js
   (vendored, static/vendor/pdfjs/). Nothing in the PDF runs: pdf.js is used without its
   scripting sandbox, annotation layer or XFA, so JavaScript, forms and links in the file
   are inert; only the pages' pixels reach the page. The file itself is fetched from its
   sandboxed response. A viewer loads its PDF only when it comes into view; without this
   script the download link is the fallback.

   Markup (templates/agent/quests/_document_viewer.html): a [data-pdf-viewer] element with
   data-pdf-url, data-pdfjs and data-pdfjs-worker (the static URLs of pdf.js), holding
   [data-pdf-controls] (hidden until ready), [data-pdf-previous], [data-pdf-next],
   [data-pdf-page], [data-pdf-count], [data-pdf-status] and a <canvas data-pdf-canvas>
   whose data-label-template holds the page's accessible name ("{page}", "{count}"). */

const MAX_CSS_WIDTH = 800;

let pdfjsReady = null;

function loadPdfjs(viewer) {
  if (!pdfjsReady) {
    pdfjsReady = import(viewer.dataset.pdfjs).then((pdfjs) => {
      pdfjs.GlobalWorkerOptions.workerSrc = viewer.dataset.pdfjsWorker;
      return pdfjs;
    });
  }
  return pdfjsReady;
}

function part(viewer, name) {
  return viewer.querySelector(`[data-pdf-${name}]`);
}

function showStatus(viewer, message) {
  const status = part(viewer, "status");
  status.textContent = message;
  status.hidden = !message;
}

async function openViewer(viewer) {
  const canvas = part(viewer, "canvas");
  const previous = part(viewer, "previous");
  const next = part(viewer, "next");
  let pdf;
  try {
    const pdfjs = await loadPdfjs(viewer);
    pdf = await pdfjs.getDocument({
      url: viewer.dataset.pdfUrl,
      // Scripts stay off: no eval, no scripting sandbox, no XFA forms, no WebAssembly.
      isEvalSupported: false,
      enableScripting: false,
      enableXfa: false,
      useWasm: false,
      disableWorkerRendering: true,
      stopAtErrors: false,
    }).promise;
  } catch (error) {
    showStatus(viewer, viewer.dataset.errorMessage);
    return;
  }
  let current = 1;
  let rendering = null;

  async function show(number) {
    current = Math.min(Math.max(number, 1), pdf.numPages);
    part(viewer, "page").textContent = String(current);
    previous.disabled = current <= 1;
    next.disabled = current >= pdf.numPages;
    if (rendering) {
      rendering.cancel();
    }
    try {
      const page = await pdf.getPage(current);
      const natural = page.getViewport({ scale: 1 });
      const cssScale = Math.min(MAX_CSS_WIDTH, viewer.clientWidth || MAX_CSS_WIDTH) / natural.width;
      const viewport = page.getViewport({ scale: cssScale * (window.devicePixelRatio || 1) });
      canvas.width = Math.floor(viewport.width);
      canvas.height = Math.floor(viewport.height);
      canvas.style.width = `${Math.floor(viewport.width / (window.devicePixelRatio || 1))}px`;
      canvas.setAttribute(
        "aria-label",
        canvas.dataset.labelTemplate.replace("{page}", String(current)).replace("{count}", String(pdf.numPages)),
      );
      // Annotations' appearances are drawn as pixels; there is no annotation layer to click.
      rendering = page.render({ canvas, viewport });
      await rendering.promise;
      rendering = null;
      showStatus(viewer, "");
      viewer.dataset.renderedPage = String(current);
    } catch (error) {
      if (error && error.name === "RenderingCancelledException") {
        return;
      }
      showStatus(viewer, viewer.dataset.errorMessage);
    }
  }

  part(viewer, "count").textContent = String(pdf.numPages);
  previous.addEventListener("click", () => show(current - 1));
  next.addEventListener("click", () => show(current + 1));
  part(viewer, "controls").hidden = false;
  canvas.hidden = false;
  await show(1);
}

function watch(viewer) {
  if (!("IntersectionObserver" in window)) {
    openViewer(viewer);
    return;
  }
  const observer = new IntersectionObserver(
    (entries) => {
      if (entries.some((entry) => entry.isIntersecting)) {
        observer.disconnect();
        openViewer(viewer);
      }
    },
    { rootMargin: "200px" },
  );
  observer.observe(viewer);
}

document.querySelectorAll("[data-pdf-viewer]").forEach((viewer) => {
  showStatus(viewer, viewer.dataset.loadingMessage);
  watch(viewer);
});
