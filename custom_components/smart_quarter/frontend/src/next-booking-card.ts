// The Smart-TV card of a health apartment: "Ihr nächster Termin" and the stay's dates, readable
// from three metres. Configure with the apartment's calendar entity:
//   type: custom:smart-quarter-next-booking-card
//   entity: calendar.gesundheitswohnung_1_buchungen

import { api, errorText, esc, type Hass, type NextBooking } from "./api";
import { dayOf, longDay, timeOf } from "./dates";
import { texts } from "./i18n";

interface CardConfig {
  entity?: string;
  resource_id?: string;
}

const STYLE = `
  ha-card, .card { display: block; padding: 24px 28px; font-size: 28px; line-height: 1.35; }
  .label { font-size: 22px; opacity: .8; margin: 0; }
  .value { font-size: 34px; font-weight: 600; margin: 4px 0 18px; }
  .detail { font-size: 26px; margin: 0 0 18px; }
  .error { color: var(--error-color, #db4437); font-size: 20px; }
`;

class SmartQuarterNextBookingCard extends HTMLElement {
  private config: CardConfig = {};
  private _hass?: Hass;
  private data: NextBooking | null = null;
  private error = "";
  private unsubscribe?: () => void;
  private timer?: number;
  private loading = false;

  static getStubConfig(): CardConfig {
    return { entity: "" };
  }

  setConfig(config: CardConfig): void {
    if (!config.entity && !config.resource_id) {
      throw new Error("entity (the apartment's calendar) is required");
    }
    this.config = config;
  }

  getCardSize(): number {
    return 4;
  }

  set hass(hass: Hass) {
    const first = !this._hass;
    this._hass = hass;
    if (first) {
      void this.load();
      void api
        .subscribe(hass, () => void this.load())
        .then((undo) => (this.unsubscribe = undo))
        .catch(() => undefined);
      this.timer = window.setInterval(() => void this.load(), 60_000);
    }
  }

  disconnectedCallback(): void {
    this.unsubscribe?.();
    window.clearInterval(this.timer);
    this._hass = undefined;
  }

  private async load(): Promise<void> {
    if (!this._hass || this.loading) return;
    this.loading = true;
    try {
      const target = this.config.resource_id
        ? { resource_id: this.config.resource_id }
        : { entity_id: this.config.entity };
      this.data = await api.next(this._hass, target);
      this.error = "";
    } catch (error) {
      this.error = errorText(error);
    } finally {
      this.loading = false;
    }
    this.render();
  }

  private render(): void {
    const t = texts(this._hass?.language);
    const language = this._hass?.language ?? "de";
    const data = this.data;
    const appointment = data?.appointment;
    const stay = data?.stay;
    const when = appointment
      ? `${longDay(dayOf(appointment.start), language)}, ${timeOf(appointment.start)} ${t.oclock}`.trim()
      : t.no_appointment;
    const where = appointment ? `${appointment.label} · ${appointment.resource ?? ""}` : "";
    const stayText = stay
      ? `${longDay(dayOf(stay.start), language)} – ${longDay(dayOf(stay.end), language)}, ${t.until} ${timeOf(stay.end)} ${t.oclock}`.trim()
      : "";
    const body = `
      <p class="label">${esc(t.next_appointment)}</p>
      <p class="value" data-role="appointment">${esc(when)}</p>
      ${where ? `<p class="detail">${esc(where)}</p>` : ""}
      ${stay ? `<p class="label">${esc(t.your_stay)}</p><p class="value" data-role="stay">${esc(stayText)}</p>` : ""}
      ${this.error ? `<p class="error">${esc(this.error)}</p>` : ""}`;
    const card = customElements.get("ha-card") ? "ha-card" : "div";
    this.innerHTML = `<style>${STYLE}</style><${card} class="card">${body}</${card}>`;
  }
}

if (!customElements.get("smart-quarter-next-booking-card")) {
  customElements.define("smart-quarter-next-booking-card", SmartQuarterNextBookingCard);
  const cards = ((window as unknown as { customCards?: object[] }).customCards ??= []);
  cards.push({
    type: "smart-quarter-next-booking-card",
    name: "Smart Quarter: next appointment",
    description: "Shows a health apartment's stay and the guest's next appointment.",
  });
}
