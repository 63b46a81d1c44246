/* Section editor: keep the lease while the holder works, autosave their draft, warn before the hold runs out
   and before leaving with unsaved work (issue 5). Progressive enhancement: the form works without this file.

   Finds every form[data-section-editor] (a full editor page, or one swapped into the IEP page by htmx) and reads
   data-section-id, data-generation, data-lease-expires (ISO), data-autosave-url and data-heartbeat-url. */
(function () {
  "use strict";

  var HEARTBEAT_MS = 60 * 1000;        // renew at most this often, and only after the user did something
  var AUTOSAVE_MS = 30 * 1000;         // save the draft this often when the form changed
  var WARN_BEFORE_MS = 5 * 60 * 1000;  // show the warning this long before the hold runs out
  var TICK_MS = 5 * 1000;

  function announce(text) {
    var region = document.getElementById("status-region");
    if (!region) { return; }
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function clock(date) {
    return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function Editor(form) {
    this.form = form;
    this.generation = parseInt(form.dataset.generation, 10);
    this.expires = form.dataset.leaseExpires ? new Date(form.dataset.leaseExpires) : null;
    this.saved = this.snapshot();
    this.dirtySinceAutosave = false;
    this.activeSinceHeartbeat = false;
    this.lastHeartbeat = Date.now();
    this.lastAutosave = Date.now();
    this.warned = false;
    this.lost = false;
    this.submitting = false;
    this.busy = false;
    var self = this;
    form.addEventListener("input", function () { self.dirtySinceAutosave = true; self.activeSinceHeartbeat = true; });
    form.addEventListener("change", function () { self.dirtySinceAutosave = true; self.activeSinceHeartbeat = true; });
    form.addEventListener("submit", function () { self.submitting = true; });
    form.addEventListener("htmx:beforeRequest", function () { self.submitting = true; });
    var renew = form.querySelector("[data-lock-renew]");
    if (renew) { renew.addEventListener("click", function () { self.heartbeat(true); }); }
    this.timer = window.setInterval(function () { self.tick(); }, TICK_MS);
  }

  Editor.prototype.snapshot = function () {
    var data = new FormData(this.form), parts = [];
    data.forEach(function (value, key) {
      if (key !== "csrfmiddlewaretoken") { parts.push(key + "=" + value); }
    });
    return parts.join("&");
  };

  Editor.prototype.unsaved = function () {
    return !this.submitting && document.body.contains(this.form) && this.snapshot() !== this.saved;
  };

  Editor.prototype.csrf = function () {
    var field = this.form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  };

  Editor.prototype.state = function (text) {
    var line = this.form.querySelector("[data-autosave-state]");
    if (line) { line.textContent = text; line.hidden = false; }
    announce(text);
  };

  Editor.prototype.setExpiry = function (iso) {
    if (!iso) { return; }
    this.expires = new Date(iso);
    this.form.dataset.leaseExpires = iso;
    this.warned = false;
    var warning = this.form.querySelector("[data-lock-warning]");
    if (warning) { warning.hidden = true; }
  };

  Editor.prototype.loseLease = function (detail) {
    this.lost = true;
    window.clearInterval(this.timer);
    var box = this.form.querySelector("[data-lock-lost]");
    var text = detail || "You no longer hold this section.";
    text += " Your text stays in this form and is kept as your draft: copy it before leaving this page.";
    if (box) {
      box.querySelector("[data-lock-lost-text]").textContent = text;
      box.hidden = false;
    }
    var warning = this.form.querySelector("[data-lock-warning]");
    if (warning) { warning.hidden = true; }
    announce(text);
  };

  Editor.prototype.post = function (url, body, headers, done) {
    var self = this, request = new XMLHttpRequest();
    request.open("POST", url);
    request.setRequestHeader("X-CSRFToken", this.csrf());
    request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    Object.keys(headers).forEach(function (name) { request.setRequestHeader(name, headers[name]); });
    request.onload = function () {
      var data = {};
      try { data = JSON.parse(request.responseText || "{}"); } catch (error) { data = {}; }
      self.busy = false;
      done(request.status, data);
    };
    request.onerror = function () {
      self.busy = false;
      self.state("Could not reach the server: your changes are not saved yet. Keep this page open.");
    };
    this.busy = true;
    request.send(body);
  };

  Editor.prototype.heartbeat = function (asked) {
    var self = this;
    if (this.lost || this.busy) { return; }
    this.lastHeartbeat = Date.now();
    this.activeSinceHeartbeat = false;
    this.post(this.form.dataset.heartbeatUrl, JSON.stringify({ generation: this.generation }),
      { "Content-Type": "application/json", "X-IEP-Heartbeat": "1" }, function (status, data) {
        if (status === 200) {
          self.setExpiry(data.expires_at);
          if (asked) { self.state("Your hold is renewed until " + clock(self.expires) + "."); }
        } else if (status === 409) {
          self.loseLease(data.detail);
        } else if (status === 401 || status === 403) {
          self.loseLease("Your session has ended.");
        }
      });
  };

  Editor.prototype.autosave = function () {
    var self = this, data = new FormData(this.form);
    if (this.lost || this.busy) { return; }
    data.delete("discard");
    this.lastAutosave = Date.now();
    this.dirtySinceAutosave = false;
    this.post(this.form.dataset.autosaveUrl, new URLSearchParams(data).toString(),
      { "Content-Type": "application/x-www-form-urlencoded" }, function (status, body) {
        if (status === 200) {
          self.setExpiry(body.expires_at);
          self.lastHeartbeat = Date.now();
          self.state("Draft saved at " + clock(new Date(body.saved_at)) + " (only you can see it).");
        } else if (status === 409) {
          self.loseLease(body.detail);
        } else {
          self.state(body.detail || "Your draft could not be saved just now.");
        }
      });
  };

  Editor.prototype.tick = function () {
    if (!document.body.contains(this.form)) {  // checked in or swapped away by htmx
      window.clearInterval(this.timer);
      return;
    }
    if (this.lost || this.submitting) { return; }
    var now = Date.now();
    if (this.dirtySinceAutosave && now - this.lastAutosave >= AUTOSAVE_MS) {
      this.autosave();
    } else if (this.activeSinceHeartbeat && now - this.lastHeartbeat >= HEARTBEAT_MS) {
      this.heartbeat(false);
    }
    if (this.expires && !this.warned && this.expires.getTime() - now <= WARN_BEFORE_MS) {
      this.warned = true;
      var warning = this.form.querySelector("[data-lock-warning]");
      var text = this.expires.getTime() > now
        ? "Your hold on this section runs out at " + clock(this.expires) + ". Renew it to keep editing."
        : "Your hold on this section has run out; renew it to keep editing if nobody else took it.";
      if (warning) {
        warning.querySelector("[data-lock-warning-text]").textContent = text;
        warning.hidden = false;
      }
      announce(text);
    }
  };

  var editors = [];

  function start(root) {
    var selector = "form[data-section-editor]", forms = [];
    if (root.matches && root.matches(selector)) {
      forms = [root];
    } else if (root.querySelectorAll) {
      forms = root.querySelectorAll(selector);
    }
    Array.prototype.forEach.call(forms, function (form) {
      if (!form.dataset.lockStarted) {
        form.dataset.lockStarted = "1";
        editors.push(new Editor(form));
      }
    });
  }

  window.addEventListener("beforeunload", function (event) {
    var unsaved = editors.some(function (editor) { return editor.unsaved(); });
    if (unsaved) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  document.addEventListener("DOMContentLoaded", function () { start(document); });
  document.addEventListener("htmx:load", function (event) { start(event.target); });
}());
