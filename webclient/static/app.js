// MailGuard: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  // Report the browser's time zone, so that times are shown in it from the next page on.
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    var known = document.cookie.match(/(?:^|; )mailguard_tz=([^;]*)/);
    // IANA names need no escaping in a cookie; anything else is not sent.
    if (zone && /^[A-Za-z0-9_+\/-]+$/.test(zone) && (!known || known[1] !== zone)) {
      document.cookie = "mailguard_tz=" + zone + "; path=/; max-age=31536000; samesite=lax" +
        (window.location.protocol === "https:" ? "; secure" : "");
    }
  } catch (e) { /* no Intl: times stay in Western Indonesia Time */ }

  ready(function () {
    // The language menu submits itself.
    document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
      el.addEventListener("change", function () { if (!blockedOffline()) { el.form.requestSubmit(); } });
    });

    // Select all conversations.
    var all = document.querySelector("[data-select-all]");
    if (all) {
      all.addEventListener("change", function () {
        document.querySelectorAll("[data-select]").forEach(function (box) { box.checked = all.checked; });
      });
    }

    // Offline banner.
    var offline = document.getElementById("offline");
    function showOffline() { if (offline) { offline.hidden = navigator.onLine; } }
    window.addEventListener("online", showOffline);
    window.addEventListener("offline", showOffline);
    showOffline();
    // Offline, a form or link would only reach the browser's error page and lose the
    // page: keep the page, and point at the banner instead.
    function blockedOffline() {
      if (navigator.onLine) { return false; }
      showOffline();
      if (offline) { offline.focus(); }
      return true;
    }
    document.addEventListener("submit", function (event) {
      if (blockedOffline()) { event.preventDefault(); }
    }, true);
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[href]");
      if (link && link.origin === window.location.origin && link.hash === "" && blockedOffline()) {
        event.preventDefault();
      }
    }, true);

    // Keyboard shortcuts: j/k move, o/Enter open, x select, / search, and the buttons
    // and links that carry data-shortcut (c compose, r reply, a reply all, f forward,
    // e archive, # trash, s star, u back, z undo).
    var items = Array.prototype.slice.call(document.querySelectorAll("[data-item]"));
    var current = -1;
    function focusItem(i) {
      if (!items.length) { return; }
      current = Math.max(0, Math.min(items.length - 1, i));
      items.forEach(function (el, n) { el.classList.toggle("cursor", n === current); });
      items[current].scrollIntoView({ block: "nearest" });
      var box = items[current].querySelector("[data-select]");
      if (box) { box.focus({ preventScroll: true }); }
    }
    document.addEventListener("keydown", function (event) {
      var target = event.target;
      var typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) &&
        !(target.type === "checkbox");
      if (typing || event.ctrlKey || event.metaKey || event.altKey) { return; }
      var key = event.key;
      if (key === "j") { focusItem(current + 1); event.preventDefault(); return; }
      if (key === "k") { focusItem(current - 1); event.preventDefault(); return; }
      // Enter on a focused button or link is that control's own; the cursor's row opens
      // only when the focus is on the page or inside that row.
      var onRow = target === document.body || (current >= 0 && items[current].contains(target));
      if ((key === "o" || (key === "Enter" && onRow)) && current >= 0 && items[current].dataset.open) {
        event.preventDefault();
        if (!blockedOffline()) { window.location.href = items[current].dataset.open; }
        return;
      }
      if (key === "Enter") { return; }
      if (key === "x" && current >= 0) {
        var box = items[current].querySelector("[data-select]");
        if (box) { box.checked = !box.checked; }
        event.preventDefault(); return;
      }
      var search = document.querySelector('[data-shortcut-focus="' + key + '"]');
      if (search) { search.focus(); search.select(); event.preventDefault(); return; }
      var action = document.querySelector('[data-shortcut="' + CSS.escape(key) + '"]');
      if (!action) { return; }
      // In a list, act on the conversation under the cursor when nothing is selected.
      if (action.form && action.form.id === "bulk" && current >= 0 &&
          !document.querySelector("[data-select]:checked")) {
        var row = items[current].querySelector("[data-select]");
        if (row) { row.checked = true; }
      }
      event.preventDefault();
      action.click();
    });

    // Files over Gmail's limit are refused as they are chosen: sent, the whole form would
    // come back as an error page, and what was written with it would be gone.
    var picker = document.querySelector("input[type=file][data-max-bytes]");
    var tooLarge = document.getElementById("too-large");
    if (picker && tooLarge) {
      picker.addEventListener("change", function () {
        var total = 0;
        Array.prototype.forEach.call(picker.files, function (file) { total += file.size; });
        var over = total > Number(picker.dataset.maxBytes);
        tooLarge.hidden = !over;
        if (over) { picker.value = ""; }
      });
    }

    // A question the writer said yes to goes with the form, so the server does not ask it
    // again.
    function markConfirmed(form, name) {
      var confirmed = document.createElement("input");
      confirmed.type = "hidden";
      confirmed.name = name;
      confirmed.value = "confirmed";
      form.appendChild(confirmed);
    }

    // Sending the draft that replaced one sent or deleted in another window asks first:
    // its first version may have gone out already (the server asks the same when this
    // script does not run). Registered before the other submit handlers, which leave a
    // submission this one cancelled alone.
    var replacing = document.querySelector("form.compose[data-new-message]");
    if (replacing) {
      replacing.addEventListener("submit", function (event) {
        var submitter = event.submitter;
        var replaced = replacing.querySelector("[data-draft-replaced]");
        if (event.defaultPrevented || !submitter || !replaced || !replaced.value ||
            replacing.querySelector('input[type="hidden"][name="new_message"]')) { return; }
        if (!(submitter.name === "action" && submitter.value === "send") &&
            submitter.name !== "empty_subject") { return; }
        if (!window.confirm(replacing.dataset.newMessage)) {
          event.preventDefault();
          return;
        }
        markConfirmed(replacing, "new_message");
      });
    }

    // Sending without a subject asks first, as Gmail does (the server asks the same
    // when this script does not run). Registered before the autosave's handler, which
    // leaves a submission this one cancelled alone.
    var writing = document.querySelector("form.compose[data-empty-subject]");
    if (writing) {
      writing.addEventListener("submit", function (event) {
        var submitter = event.submitter;
        if (event.defaultPrevented || !submitter || submitter.name !== "action" ||
            submitter.value !== "send") { return; }
        var subject = writing.elements.namedItem("subject");
        if (!subject || subject.value.trim() ||
            writing.querySelector('input[name="empty_subject"]')) { return; }
        if (!window.confirm(writing.dataset.emptySubject)) {
          event.preventDefault();
          subject.focus();
          return;
        }
        markConfirmed(writing, "empty_subject");
      });
    }

    // Drafts save themselves a few seconds after the writer stops typing.
    var compose = document.querySelector("form[data-autosave]");
    if (compose && window.fetch && window.FormData) {
      var timer = null;
      var words = document.getElementById("autosave-words");
      var status = compose.querySelector("[data-autosave-status]");
      var draftId = compose.querySelector("[data-draft-id]");
      var draftMessage = compose.querySelector("[data-draft-message]");
      var draftReplaced = compose.querySelector("[data-draft-replaced]");
      var token = document.querySelector('meta[name="csrf-token"]').content;
      var saving = null;
      var leaving = false;
      function save() {
        if (saving || leaving) { return; }
        var data = new FormData(compose);
        data.delete("attachments");
        saving = fetch(compose.dataset.autosave, {
          method: "POST", body: data, credentials: "same-origin",
          headers: { "X-CSRFToken": token, "Accept": "application/json" }
        }).then(function (response) {
          // 404: the draft was sent or deleted in another window; the answer names the
          // new draft that now holds what was written here.
          if (!response.ok && response.status !== 404) {
            throw new Error(String(response.status));
          }
          return response.json();
        }).then(function (answer) {
          if (!answer.saved) { throw new Error("not saved"); }
          if (answer.draft_id) { draftId.value = answer.draft_id; }
          if (answer.draft_message && draftMessage) { draftMessage.value = answer.draft_message; }
          // A new draft replaced one gone elsewhere: Send asks first, and the files it
          // could not keep leave the list (the note names them).
          if (answer.replaced && draftReplaced) { draftReplaced.value = "1"; }
          (answer.lost_files || []).forEach(function (key) {
            compose.querySelectorAll("[data-carried]").forEach(function (item) {
              if (item.dataset.carried === key) { item.remove(); }
            });
          });
          status.textContent = answer.note || words.dataset.saved;
        }).catch(function () {
          // The status promises a retry: keep it, at once when the connection returns.
          status.textContent = words.dataset.failed;
          clearTimeout(timer);
          if (navigator.onLine) { timer = setTimeout(save, 10000); } else { retryOnline = true; }
        }).finally(function () { saving = null; });
      }
      var retryOnline = false;
      window.addEventListener("online", function () {
        if (retryOnline) { retryOnline = false; save(); }
      });
      // Sending, saving or discarding ends the autosaves: a save still on its way is
      // waited for, so the form carries its draft id (the server deletes that draft once
      // the message is sent) instead of the save landing afterwards as a stray draft;
      // a second press of a button while the page is leaving sends nothing again.
      compose.addEventListener("submit", function (event) {
        if (event.defaultPrevented) { return; }
        clearTimeout(timer);
        if (leaving) { event.preventDefault(); return; }
        if (saving) {
          event.preventDefault();
          var submitter = event.submitter;
          saving.then(function () { compose.requestSubmit(submitter); });
          return;
        }
        leaving = true;
      });
      window.addEventListener("pageshow", function () { leaving = false; });
      compose.addEventListener("input", function (event) {
        if (event.target.type === "file") { return; }
        clearTimeout(timer);
        timer = setTimeout(save, 2000);
      });
    }
  });
})();
