// The booking websocket API as the panel and the card use it (see booking/websocket.py).

export interface HassConnection {
  subscribeMessage<T>(callback: (message: T) => void, message: object): Promise<() => void>;
}

export interface Hass {
  language: string;
  user?: { id: string; is_admin: boolean };
  connection: HassConnection;
  callWS<T>(message: object): Promise<T>;
}

export interface ConsultationType {
  type: string;
  label: string;
  minutes: number;
}

export interface Resource {
  resource_id: string;
  entry_id: string;
  name: string;
  kind: "room" | "apartment";
  device_id: string | null;
  can_manage: boolean;
  keeps_contact: boolean;
  time_zone: string;
  opening_hours?: string;
  slot_minutes?: number;
  consultation_types?: ConsultationType[];
  check_in?: string;
  check_out?: string;
  min_nights?: number;
  max_nights?: number;
}

export interface Booking {
  booking_id: string;
  resource_id: string;
  start: string;
  end: string;
  status: "booked" | "checked_in" | "completed" | "cancelled" | "no_show";
  consultation_type: string | null;
  label: string;
  code: string;
  contact?: string | null;
  resource?: string;
}

export interface Slot {
  start: string;
  end: string;
}

export interface NextBooking {
  resource: string;
  stay: Booking | null;
  appointment: Booking | null;
}

const P = "smart_quarter/booking";

export const api = {
  resources: (hass: Hass) =>
    hass.callWS<{ resources: Resource[] }>({ type: `${P}/resources` }).then((r) => r.resources),
  bookings: (hass: Hass, resource_id: string, start: string, end: string) =>
    hass
      .callWS<{ bookings: Booking[] }>({ type: `${P}/bookings`, resource_id, start, end })
      .then((r) => r.bookings),
  freeSlots: (hass: Hass, resource_id: string, start: string, end: string, extra: object) =>
    hass
      .callWS<{ slots: Slot[] }>({ type: `${P}/free_slots`, resource_id, start, end, limit: 500, ...extra })
      .then((r) => r.slots),
  book: (hass: Hass, message: object) => hass.callWS<Booking>({ type: `${P}/book`, ...message }),
  cancel: (hass: Hass, booking_id: string) =>
    hass.callWS<Booking>({ type: `${P}/cancel`, booking_id }),
  reschedule: (hass: Hass, booking_id: string, message: object) =>
    hass.callWS<Booking>({ type: `${P}/reschedule`, booking_id, ...message }),
  checkIn: (hass: Hass, booking_id: string) =>
    hass.callWS<Booking>({ type: `${P}/check_in`, booking_id }),
  checkOut: (hass: Hass, booking_id: string) =>
    hass.callWS<Booking>({ type: `${P}/check_out`, booking_id }),
  feed: (hass: Hass, resource_id: string, renew = false) =>
    hass.callWS<{ path: string }>({ type: `${P}/feed`, resource_id, renew }).then((r) => r.path),
  next: (hass: Hass, target: { resource_id?: string; entity_id?: string }) =>
    hass.callWS<NextBooking>({ type: `${P}/next`, ...target }),
  subscribe: (hass: Hass, callback: (changed: { resource_ids: string[] }) => void) =>
    hass.connection.subscribeMessage(callback, { type: `${P}/subscribe` }),
};

/** The text of a websocket error (Home Assistant sends it translated). */
export function errorText(error: unknown): string {
  if (error && typeof error === "object" && "message" in error) {
    return String((error as { message: unknown }).message);
  }
  return String(error);
}

/** Escape text for HTML. */
export function esc(value: unknown): string {
  return String(value ?? "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}
