// Inside an LMS's iframe the browser sends paperlabs no cookie: the page carries its
// session as a signed token (labs/lti/frame_session.py). Every link to this site that
// is followed and every form that is sent takes the token along.
const meta = document.querySelector('meta[name="paperlabs-frame-session"]');
const token = meta ? meta.content : "";
const PARAM = "frame_session";

function ownUrl(href) {
  const url = new URL(href, location.href);
  return url.origin === location.origin ? url : null;
}

if (token) {
  document.addEventListener(
    "click",
    (event) => {
      const link = event.target.closest ? event.target.closest("a[href]") : null;
      if (!link || link.hasAttribute("download")) return;
      const url = ownUrl(link.getAttribute("href"));
      if (!url || url.hash && url.pathname === location.pathname && url.search === location.search) return;
      url.searchParams.set(PARAM, token);
      link.href = url.href;
    },
    true,
  );
  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      const url = ownUrl(form.getAttribute("action") || location.href);
      if (!url) return;
      if (form.method.toLowerCase() === "get") {
        // A GET form's fields replace its action's query string: the token is a field.
        let field = form.querySelector(`input[name="${PARAM}"]`);
        if (!field) {
          field = document.createElement("input");
          field.type = "hidden";
          field.name = PARAM;
          form.append(field);
        }
        field.value = token;
      } else {
        // A POST's body is the view's: the token rides in the action's query string.
        url.searchParams.set(PARAM, token);
        form.setAttribute("action", url.href);
      }
    },
    true,
  );
}
