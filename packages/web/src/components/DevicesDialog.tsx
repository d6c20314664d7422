/**
 * The Devices panel: every device of the account (from the verified signed
 * device list, so the server cannot add a name here), which one is this
 * browser, when each was last seen (the server's word, marked as such), and
 * Revoke for the others. Below it, the history-archive setting with its
 * trade-off in plain words; turning it off asks first, since the server
 * deletes the archive at once.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import type { DeviceActions, DeviceView } from '../lib/account';
import { describeError } from '../lib/errors';
import { archiveQuery, devicesListQuery, invalidateDevices, isUnavailable } from '../state/device-queries';
import { ConfirmDialog } from './ConfirmDialog';
import { FormError } from './FormError';

const when = (iso: string) => new Date(iso).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });

export function DevicesDialog({ devices, onClose }: { devices: DeviceActions; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const queries = useQueryClient();
  // Both wait for the device's start-up (right after sign-in) before answering.
  const list = useQuery(devicesListQuery(devices));
  const archive = useQuery(archiveQuery(devices));
  const unavailable = isUnavailable(list.error) || isUnavailable(archive.error);
  const ready = list.isSuccess;
  const [revoking, setRevoking] = useState<DeviceView | undefined>();
  const [confirmArchiveOff, setConfirmArchiveOff] = useState(false);

  const revoke = useMutation({
    mutationFn: (deviceId: string) => devices.revoke(deviceId),
    onSettled: () => invalidateDevices(queries),
  });
  const setArchive = useMutation({
    mutationFn: (on: boolean) => devices.setArchive(on),
    onSettled: () => invalidateDevices(queries),
  });

  useEffect(() => {
    if (dialog.current && !dialog.current.open) dialog.current.showModal();
  }, []);

  const loadError = unavailable ? undefined : (list.error ?? archive.error);
  const reason = unavailable ? devices.status().reason : undefined;
  // While a change is on its way the box shows what was asked for (then the answer, refetched).
  const archiveOn = setArchive.isPending ? setArchive.variables === true : archive.data === true;

  return (
    <dialog
      ref={dialog}
      className="dialog devices-dialog"
      aria-labelledby="devices-title"
      // React passes a nested confirm dialog's close up the tree: only this dialog's own closing counts.
      onClose={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <h2 id="devices-title">Devices</h2>
      {unavailable && (
        <p className="form-error" role="alert">
          Devices are unavailable on this browser right now{reason ? ` (${reason})` : ''}. Messaging still
          works, with the older encryption.
        </p>
      )}
      {loadError && <FormError error={describeError(loadError)} />}
      {list.data && (
        <ul className="device-list" aria-label="Your devices">
          {list.data.map((d) => (
            <li key={d.device_id} className="device" aria-label={d.name}>
              <div className="device-main">
                <span className="device-name">{d.name}</span>
                {d.current && <span className="device-badge">This device</span>}
              </div>
              <div className="muted small">
                Added {when(d.added_at)} · Last seen{' '}
                {d.current ? 'now' : d.last_seen_at ? when(d.last_seen_at) : 'never'}
              </div>
              {!d.current && (
                <button
                  type="button"
                  className="small danger device-revoke"
                  disabled={revoke.isPending}
                  onClick={() => setRevoking(d)}
                >
                  Revoke
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {list.isPending && <p className="muted small">Loading devices…</p>}

      {ready && archive.isSuccess && (
        <section aria-labelledby="archive-title" className="archive-setting">
          <h3 id="archive-title">History on new devices</h3>
          <label className="check">
            <input
              type="checkbox"
              checked={archiveOn}
              disabled={archive.isPending || setArchive.isPending}
              onChange={(e) => {
                if (e.target.checked) setArchive.mutate(true);
                else setConfirmArchiveOff(true);
              }}
            />
            <span>Keep an encrypted history archive</span>
          </label>
          <p className="muted small">
            On: every device you add later shows your past messages. They are stored on the server encrypted
            with a key in your vault, so your password protects them — someone who learns or cracks it can
            read your history.
          </p>
          <p className="muted small">
            Off: strict forward secrecy. A new device sees only messages sent after it was added, and a
            cracked password opens no past messages. Turning it off deletes the archive from the server.
          </p>
          {setArchive.error && <FormError error={describeError(setArchive.error)} />}
        </section>
      )}

      <div className="dialog-actions">
        <button type="button" className="secondary" onClick={() => dialog.current?.close()}>
          Close
        </button>
      </div>

      {revoking && (
        <ConfirmDialog
          title={`Revoke ${revoking.name}?`}
          confirm="Revoke device"
          onConfirm={() => revoke.mutateAsync(revoking.device_id)}
          onClose={() => setRevoking(undefined)}
        >
          <p>
            It is signed out at once and can no longer read new messages. It keeps what it already showed; to
            use it again, sign in there as a new device.
          </p>
        </ConfirmDialog>
      )}
      {confirmArchiveOff && (
        <ConfirmDialog
          title="Turn off the history archive?"
          confirm="Turn off and delete archive"
          onConfirm={() => setArchive.mutateAsync(false)}
          onClose={() => setConfirmArchiveOff(false)}
        >
          <p>
            The server deletes your archived history now. Devices you add later will see only new messages;
            the devices you have keep what they already show.
          </p>
        </ConfirmDialog>
      )}
    </dialog>
  );
}
