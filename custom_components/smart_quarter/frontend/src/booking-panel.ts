// The booking panel: a week per resource, tap a free slot to book, tap a booking to check in,
// reschedule or cancel. Built for a reception tablet: large targets, one column per day.

import { api, errorText, esc, type Booking, type Hass, type Resource, type Slot } from "./api";
import { addDays, dayLabel, dayOf, mondayOf, timeOf, today } from "./dates";
import { texts, type Texts } from "./i18n";

const STYLE = `
  :host { display: block; font-family: var(--paper-font-body1_-_font-family, Roboto, sans-serif);
    color: var(--primary-text-color, #212121); background: var(--primary-background-color, #fafafa);
    min-height: 100vh; }
  header { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; padding: 12px 16px;
    background: var(--app-header-background-color, #03a9f4); color: var(--app-header-text-color, #fff); }
  header h1 { font-size: 22px; font-weight: 400; margin: 0 16px 0 0; }
  .tabs, .tools { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; padding: 8px 16px; }
  button, select, input { font: inherit; font-size: 16px; min-height: 44px; border-radius: 8px; }
  button { border: 1px solid var(--divider-color, #ccc); background: var(--card-background-color, #fff);
    color: inherit; padding: 0 14px; cursor: pointer; }
  button.selected, button.primary { background: var(--primary-color, #03a9f4); color: #fff; border-color: transparent; }
  button.danger { color: var(--error-color, #db4437); }
  select, input { padding: 0 10px; border: 1px solid var(--divider-color, #ccc);
    background: var(--card-background-color, #fff); color: inherit; }
  .week { display: grid; grid-template-columns: repeat(7, minmax(124px, 1fr)); gap: 8px; padding: 8px 16px 24px; overflow-x: auto; }
  .day { background: var(--card-background-color, #fff); border-radius: 12px; padding: 8px; min-height: 120px;
    box-shadow: var(--ha-card-box-shadow, 0 1px 3px rgba(0,0,0,.2)); display: flex; flex-direction: column; gap: 6px; }
  .day h2 { font-size: 16px; margin: 4px 0 6px; font-weight: 500; }
  .day.today h2 { color: var(--primary-color, #03a9f4); }
  .slot { border-style: dashed; text-align: left; }
  .booking { text-align: left; border-left: 6px solid var(--primary-color, #03a9f4); padding: 6px 10px; }
  .booking.checked_in, .booking.completed { border-left-color: var(--success-color, #43a047); }
  .booking.no_show { border-left-color: var(--error-color, #db4437); opacity: .7; }
  .booking small, .slot small { display: block; opacity: .75; font-size: 13px; }
  .banner { margin: 0 16px; padding: 12px; border-radius: 8px; background: var(--warning-color, #ffa600); color: #000; display: flex; gap: 12px; align-items: center; }
  .message { margin: 8px 16px; padding: 12px; border-radius: 8px; }
  .message.error { background: var(--error-color, #db4437); color: #fff; }
  .message.ok { background: var(--success-color, #43a047); color: #fff; }
  dialog { border: none; border-radius: 16px; padding: 20px; min-width: min(420px, 90vw);
    background: var(--card-background-color, #fff); color: inherit; }
  dialog h3 { margin-top: 0; }
  dialog label { display: block; margin: 12px 0 4px; }
  dialog input { width: 100%; box-sizing: border-box; }
  dialog .actions { display: flex; flex-wrap: wrap; gap: 8px; justify-content: flex-end; margin-top: 16px; }
  .code { font-size: 28px; letter-spacing: 2px; font-weight: 600; }
  .empty { padding: 24px 16px; }
`;

type Dialog =
  | { kind: "book"; slot: Slot }
  | { kind: "booking"; booking: Booking }
  | { kind: "feed"; path: string }
  | null;

class SmartQuarterBookingPanel extends HTMLElement {
  private _hass?: Hass;
  private resources: Resource[] = [];
  private resourceId = "";
  private monday = "";
  private consultationType = "";
  private nights = 0;
  private bookings: Booking[] = [];
  private slots: Slot[] = [];
  private moving: Booking | null = null;
  private dialog: Dialog = null;
  private message: { text: string; error: boolean } | null = null;
  private unsubscribe?: () => void;
  private started = false;
  private root: ShadowRoot;

  constructor() {
    super();
    this.root = this.attachShadow({ mode: "open" });
    this.root.addEventListener("click", (event) => this.onClick(event));
    this.root.addEventListener("change", (event) => this.onChange(event));
  }

  set hass(hass: Hass) {
    this._hass = hass;
    if (!this.started) {
      this.started = true;
      void this.start();
    }
  }

  set narrow(_narrow: boolean) {}
  set panel(_panel: unknown) {}

  disconnectedCallback(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.started = false;
  }

  private get t(): Texts {
    return texts(this._hass?.language);
  }

  private get resource(): Resource | undefined {
    return this.resources.find((r) => r.resource_id === this.resourceId);
  }

  private async start(): Promise<void> {
    const hass = this._hass!;
    try {
      this.resources = await api.resources(hass);
      const first = this.resources[0];
      if (first) {
        this.select(first);
      }
      this.unsubscribe = await api.subscribe(hass, (changed) => {
        if (changed.resource_ids.includes(this.resourceId)) {
          void this.load();
        }
      });
    } catch (error) {
      this.message = { text: errorText(error), error: true };
    }
    await this.load();
  }

  private select(resource: Resource): void {
    this.resourceId = resource.resource_id;
    this.monday = mondayOf(today(resource.time_zone));
    this.consultationType = resource.consultation_types?.[0]?.type ?? "";
    this.nights = resource.min_nights ?? 1;
    this.moving = null;
  }

  private async load(): Promise<void> {
    const hass = this._hass;
    const resource = this.resource;
    if (!hass || !resource) {
      this.render();
      return;
    }
    const start = `${this.monday}T00:00:00`;
    const end = `${addDays(this.monday, 7)}T00:00:00`;
    try {
      const [bookings, slots] = await Promise.all([
        api.bookings(hass, resource.resource_id, start, end),
        resource.can_manage
          ? api.freeSlots(
              hass,
              resource.resource_id,
              start,
              end,
              resource.kind === "room" ? { consultation_type: this.consultationType } : { nights: this.nights },
            )
          : Promise.resolve([] as Slot[]),
      ]);
      this.bookings = bookings;
      this.slots = slots;
    } catch (error) {
      this.message = { text: errorText(error), error: true };
    }
    this.render();
  }

  private async act(action: () => Promise<string | void>): Promise<void> {
    try {
      const text = await action();
      this.message = text ? { text, error: false } : null;
      this.dialog = null;
    } catch (error) {
      this.message = { text: errorText(error), error: true };
    }
    await this.load();
  }

  private onChange(event: Event): void {
    const target = event.target as HTMLSelectElement;
    if (target.name === "type") {
      this.consultationType = target.value;
      void this.load();
    } else if (target.name === "nights") {
      this.nights = Number(target.value);
      void this.load();
    }
  }

  private onClick(event: Event): void {
    const button = (event.target as HTMLElement).closest<HTMLElement>("[data-action]");
    if (!button) {
      return;
    }
    const hass = this._hass!;
    const resource = this.resource;
    const { action, value } = button.dataset;
    switch (action) {
      case "resource": {
        const chosen = this.resources.find((r) => r.resource_id === value);
        if (chosen) {
          this.select(chosen);
          void this.load();
        }
        return;
      }
      case "week":
        this.monday = value === "today" && resource ? mondayOf(today(resource.time_zone)) : addDays(this.monday, Number(value));
        void this.load();
        return;
      case "slot": {
        const slot = this.slots.find((s) => s.start === value);
        if (!slot) return;
        if (this.moving) {
          const moving = this.moving;
          this.moving = null;
          void this.act(async () => {
            const moved = await api.reschedule(
              hass,
              moving.booking_id,
              resource?.kind === "room"
                ? { start: slot.start, consultation_type: this.consultationType }
                : { arrival: dayOf(slot.start), departure: dayOf(slot.end) },
            );
            return `${this.t.reschedule}: ${moved.code} → ${dayOf(moved.start)} ${timeOf(moved.start)}`;
          });
        } else {
          this.dialog = { kind: "book", slot };
          this.render();
        }
        return;
      }
      case "booking": {
        const booking = this.bookings.find((b) => b.booking_id === value);
        if (booking) {
          this.dialog = { kind: "booking", booking };
          this.render();
        }
        return;
      }
      case "close":
        this.dialog = null;
        this.render();
        return;
      case "confirm-book":
        void this.confirmBook();
        return;
      case "cancel":
        void this.act(async () => `${this.t.cancel_booking}: ${(await api.cancel(hass, value!)).code}`);
        return;
      case "check-in":
        void this.act(async () => `${this.t.check_in}: ${(await api.checkIn(hass, value!)).code}`);
        return;
      case "check-out":
        void this.act(async () => `${this.t.check_out}: ${(await api.checkOut(hass, value!)).code}`);
        return;
      case "reschedule":
        this.moving = this.bookings.find((b) => b.booking_id === value) ?? null;
        this.dialog = null;
        this.render();
        return;
      case "stop-moving":
        this.moving = null;
        this.render();
        return;
      case "feed":
        if (resource) {
          api
            .feed(hass, resource.resource_id, value === "renew")
            .then((path) => {
              this.dialog = { kind: "feed", path };
            })
            .catch((error: unknown) => {
              this.message = { text: errorText(error), error: true };
            })
            .finally(() => this.render());
        }
        return;
    }
  }

  private async confirmBook(): Promise<void> {
    const dialog = this.dialog;
    const resource = this.resource;
    if (dialog?.kind !== "book" || !resource) return;
    const code = (this.root.querySelector<HTMLInputElement>("input[name=code]")?.value ?? "").trim();
    const contact = (this.root.querySelector<HTMLInputElement>("input[name=contact]")?.value ?? "").trim();
    const message: Record<string, string> = { resource_id: resource.resource_id };
    if (resource.kind === "room") {
      message.start = dialog.slot.start;
      message.consultation_type = this.consultationType;
    } else {
      message.arrival = dayOf(dialog.slot.start);
      message.departure = dayOf(dialog.slot.end);
    }
    if (code) message.code = code;
    if (contact) message.contact = contact;
    try {
      const booking = await api.book(this._hass!, message);
      this.dialog = { kind: "booking", booking };
      this.message = { text: `${this.t.booked}: ${booking.code}`, error: false };
    } catch (error) {
      this.message = { text: errorText(error), error: true };
      this.dialog = null;
    }
    await this.load();
  }

  private render(): void {
    const t = this.t;
    const resource = this.resource;
    const language = this._hass?.language ?? "en";
    const tabs = this.resources
      .map(
        (r) =>
          `<button data-action="resource" data-value="${esc(r.resource_id)}" class="${r.resource_id === this.resourceId ? "selected" : ""}">${esc(r.name)}</button>`,
      )
      .join("");
    let body = `<p class="empty">${esc(t.no_resources)}</p>`;
    if (resource) {
      body = `${this.renderTools(resource)}${this.moving ? `<div class="banner">${esc(t.choose_new)} (${esc(this.moving.code)}) <button data-action="stop-moving">${esc(t.stop_reschedule)}</button></div>` : ""}${this.renderWeek(resource, language)}`;
    }
    const message = this.message
      ? `<div class="message ${this.message.error ? "error" : "ok"}" role="status">${esc(this.message.text)}</div>`
      : "";
    // A change pushed while someone types in the dialog must not wipe what they typed.
    const typed = new Map<string, string>();
    this.root.querySelectorAll<HTMLInputElement>("dialog input[name]").forEach((input) => typed.set(input.name, input.value));
    this.root.innerHTML = `<style>${STYLE}</style>
      <header><h1>${esc(t.title)}</h1></header>
      <nav class="tabs">${tabs}</nav>
      ${message}${body}${this.renderDialog(resource, t)}`;
    const dialog = this.root.querySelector("dialog");
    if (dialog) {
      dialog.querySelectorAll<HTMLInputElement>("input[name]").forEach((input) => {
        const value = typed.get(input.name);
        if (value !== undefined) input.value = value;
      });
      // Escape closes the dialog: forget it, or the next change would open it again.
      dialog.addEventListener("cancel", () => {
        this.dialog = null;
      });
      if (!dialog.open) dialog.showModal();
    }
  }

  private renderTools(resource: Resource): string {
    const t = this.t;
    const filter =
      resource.kind === "room"
        ? `<label>${esc(t.type)} <select name="type">${(resource.consultation_types ?? [])
            .map(
              (c) =>
                `<option value="${esc(c.type)}" ${c.type === this.consultationType ? "selected" : ""}>${esc(c.label)} (${c.minutes} min)</option>`,
            )
            .join("")}</select></label>`
        : `<label>${esc(t.nights)} <select name="nights">${Array.from(
            { length: Math.min(28, (resource.max_nights ?? 28) - (resource.min_nights ?? 1) + 1) },
            (_, i) => (resource.min_nights ?? 1) + i,
          )
            .map((n) => `<option value="${n}" ${n === this.nights ? "selected" : ""}>${n}</option>`)
            .join("")}</select></label>`;
    const feed = resource.can_manage ? `<button data-action="feed">${esc(t.feed)}</button>` : "";
    return `<div class="tools">
      <button data-action="week" data-value="-7" aria-label="${esc(t.previous)}">◀</button>
      <button data-action="week" data-value="today">${esc(t.today)}</button>
      <button data-action="week" data-value="7" aria-label="${esc(t.next)}">▶</button>
      ${filter}${feed}</div>`;
  }

  private renderWeek(resource: Resource, language: string): string {
    const t = this.t;
    const now = today(resource.time_zone);
    const days = Array.from({ length: 7 }, (_, i) => addDays(this.monday, i));
    const columns = days.map((day) => {
      const items: { at: string; html: string }[] = [];
      for (const booking of this.bookings) {
        const covers = dayOf(booking.start) <= day && day <= dayOf(booking.end);
        const shown = resource.kind === "room" ? dayOf(booking.start) === day : covers;
        if (!shown) continue;
        const when =
          resource.kind === "room"
            ? `${timeOf(booking.start)}–${timeOf(booking.end)}`
            : `${dayOf(booking.start) === day ? `${t.arrival} ${timeOf(booking.start)}` : dayOf(booking.end) === day ? `${t.departure} ${timeOf(booking.end)}` : ""}`;
        items.push({
          at: resource.kind === "room" ? booking.start : `${day}T00:00`,
          html: `<button class="booking ${esc(booking.status)}" data-action="booking" data-value="${esc(booking.booking_id)}">
            <strong>${esc(when)}</strong> ${esc(booking.label)}<small>${esc(booking.code)} · ${esc(t.status[booking.status] ?? booking.status)}</small></button>`,
        });
      }
      for (const slot of this.slots) {
        if (dayOf(slot.start) !== day) continue;
        const label =
          resource.kind === "room"
            ? `${timeOf(slot.start)}–${timeOf(slot.end)}`
            : `${t.arrival} ${timeOf(slot.start)} → ${dayLabel(dayOf(slot.end), language)}`;
        items.push({
          at: slot.start,
          html: `<button class="slot" data-action="slot" data-value="${esc(slot.start)}">${esc(label)}<small>${esc(t.free)}</small></button>`,
        });
      }
      items.sort((a, b) => a.at.localeCompare(b.at));
      return `<section class="day ${day === now ? "today" : ""}" data-day="${day}"><h2>${esc(dayLabel(day, language))}</h2>${items.map((i) => i.html).join("")}</section>`;
    });
    return `<div class="week">${columns.join("")}</div>`;
  }

  private renderDialog(resource: Resource | undefined, t: Texts): string {
    const dialog = this.dialog;
    if (!dialog || !resource) return "";
    if (dialog.kind === "feed") {
      const url = `${window.location.origin}${dialog.path}`;
      return `<dialog><h3>${esc(t.feed)}</h3><p><input readonly value="${esc(url)}"></p>
        <div class="actions"><button data-action="feed" data-value="renew">${esc(t.feed_renew)}</button>
        <button class="primary" data-action="close">${esc(t.close)}</button></div></dialog>`;
    }
    if (dialog.kind === "book") {
      const type = resource.consultation_types?.find((c) => c.type === this.consultationType);
      const what =
        resource.kind === "room"
          ? `${type?.label ?? ""}, ${dayOf(dialog.slot.start)} ${timeOf(dialog.slot.start)}`
          : `${dayOf(dialog.slot.start)} – ${dayOf(dialog.slot.end)}`;
      const contact = resource.keeps_contact
        ? `<label for="contact">${esc(t.contact)}</label><input id="contact" name="contact" inputmode="tel">`
        : "";
      return `<dialog><h3>${esc(resource.name)}: ${esc(what)}</h3>
        <label for="code">${esc(t.code)}</label><input id="code" name="code" placeholder="${esc(t.code_hint)}" autocomplete="off">
        ${contact}
        <div class="actions"><button data-action="close">${esc(t.close)}</button>
        <button class="primary" data-action="confirm-book">${esc(t.book)}</button></div></dialog>`;
    }
    const b = dialog.booking;
    const id = esc(b.booking_id);
    const actions: string[] = [];
    if (resource.can_manage && b.status === "booked") {
      actions.push(`<button data-action="check-in" data-value="${id}">${esc(t.check_in)}</button>`);
      actions.push(`<button data-action="reschedule" data-value="${id}">${esc(t.reschedule)}</button>`);
      actions.push(`<button class="danger" data-action="cancel" data-value="${id}">${esc(t.cancel_booking)}</button>`);
    }
    if (resource.can_manage && b.status === "checked_in" && resource.kind === "apartment") {
      actions.push(`<button data-action="check-out" data-value="${id}">${esc(t.check_out)}</button>`);
    }
    return `<dialog><h3>${esc(b.label)}</h3>
      <p class="code">${esc(b.code)}</p>
      <p>${esc(dayOf(b.start))} ${esc(timeOf(b.start))} – ${esc(dayOf(b.end))} ${esc(timeOf(b.end))}<br>${esc(t.status[b.status] ?? b.status)}${b.contact ? `<br>${esc(b.contact)}` : ""}</p>
      <div class="actions">${actions.join("")}<button class="primary" data-action="close">${esc(t.close)}</button></div></dialog>`;
  }
}

if (!customElements.get("smart-quarter-booking-panel")) {
  customElements.define("smart-quarter-booking-panel", SmartQuarterBookingPanel);
}
