/**
 * The open conversation lives in the URL hash (`#/chat/<user id>`): a reload
 * or the back button keeps it, and the gateway's SPA fallback is not needed
 * (user ids and names never reach a path).
 */
const CHAT = /^#\/chat\/(usr_[0-9a-z]{26})$/;

export const contactFromHash = (hash: string): string | undefined => CHAT.exec(hash)?.[1];

export const chatHref = (contactId: string): string => `#/chat/${contactId}`;

export const HOME_HREF = '#/';
