import { resolveSettings, SettingsError } from '../../src/daemon/daemon-settings';

describe('resolveSettings (the dashboard)', () => {
  it('should leave the dashboard off, on any free port, by default', () => {
    expect(resolveSettings({}, {}, false)).toMatchObject({ dashboard: false, dashboardPort: 0 });
  });

  it('should turn it on from --dashboard or BEADS_DASHBOARD, the flag winning', () => {
    expect(resolveSettings({ dashboard: true }, {}, false).dashboard).toBe(true);
    expect(resolveSettings({}, { BEADS_DASHBOARD: '1' }, false).dashboard).toBe(true);
    expect(resolveSettings({ dashboard: false }, { BEADS_DASHBOARD: 'true' }, false).dashboard).toBe(false);
  });

  it('should take the port from --dashboard-port or BEADS_DASHBOARD_PORT, the flag winning', () => {
    expect(resolveSettings({ dashboardPort: '8123' }, { BEADS_DASHBOARD_PORT: '9000' }, false).dashboardPort).toBe(8123);
    expect(resolveSettings({}, { BEADS_DASHBOARD_PORT: '9000' }, false).dashboardPort).toBe(9000);
  });

  it('should refuse a bad value, naming the flag or variable and what is accepted', () => {
    expect(() => resolveSettings({ dashboardPort: '70000' }, {}, false)).toThrow(
      new SettingsError('--dashboard-port="70000" is not valid: expected a TCP port 0–65535 (0 = any free port)'),
    );
    expect(() => resolveSettings({}, { BEADS_DASHBOARD_PORT: 'http' }, false)).toThrow(/BEADS_DASHBOARD_PORT="http" is not valid/);
    expect(() => resolveSettings({}, { BEADS_DASHBOARD: 'maybe' }, false)).toThrow(/BEADS_DASHBOARD="maybe" is not valid: expected true or false/);
  });
});
