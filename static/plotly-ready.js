// Plotly is loaded by a deferred classic script, and an async module may run before it
// has: wait for DOMContentLoaded, which comes after every deferred script.
export function plotlyReady() {
  if (window.Plotly || document.readyState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    document.addEventListener("DOMContentLoaded", resolve, { once: true });
    window.addEventListener("load", resolve, { once: true });
  });
}
